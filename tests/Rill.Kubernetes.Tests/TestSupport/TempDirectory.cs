namespace Rill.Kubernetes.Tests.TestSupport;

/// <summary>A fresh directory for one test, deleted afterwards.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rill-k8s-tests-" + Guid.NewGuid().ToString("N"));

    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
