using System.Reflection;
using System.Runtime.InteropServices;

namespace Rill.DevKafka;

/// <summary>
/// Finds librdkafka as librdkafka.redist ships it. On Debian 12 the default <c>librdkafka.so</c> does not load (it
/// needs libsasl2.so.3), while <c>centos8-librdkafka.so</c> from the same package does: both are tried, in the output
/// folder's runtimes/ tree and then by name.
/// </summary>
internal static class LibrdkafkaLoader
{
    public const string LibraryName = "librdkafka";

    private static readonly string[] Candidates = ["librdkafka.so", "centos8-librdkafka.so", "alpine-librdkafka.so", "librdkafka.dylib", "librdkafka.dll"];

    private static IntPtr _handle;

    public static void Register() => NativeLibrary.SetDllImportResolver(typeof(LibrdkafkaLoader).Assembly, Resolve);

    /// <summary>The loaded library, for symbols that are optional in some librdkafka builds.</summary>
    public static IntPtr Handle => _handle != IntPtr.Zero ? _handle : _handle = Load();

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name == LibraryName ? Handle : IntPtr.Zero;

    private static IntPtr Load()
    {
        var rid = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        var folders = new[] { Path.Combine(AppContext.BaseDirectory, "runtimes", rid, "native"), AppContext.BaseDirectory };
        var errors = new List<string>();
        foreach (var candidate in folders.SelectMany(f => Candidates.Select(c => Path.Combine(f, c))).Where(File.Exists).Concat(Candidates))
        {
            if (NativeLibrary.TryLoad(candidate, out var handle))
            {
                return handle;
            }

            errors.Add(candidate);
        }

        throw new DllNotFoundException($"librdkafka could not be loaded (tried {string.Join(", ", errors)}); it comes with the librdkafka.redist package.");
    }
}
