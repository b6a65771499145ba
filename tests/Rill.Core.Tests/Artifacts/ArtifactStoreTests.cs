using System.Text;
using Rill.Api;
using Rill.Runtime.Artifacts;
using static Rill.Tests.Artifacts.TestApplications;

namespace Rill.Tests.Artifacts;

public sealed class ArtifactStoreTests : IDisposable
{
    private static readonly string HostRill = typeof(StreamExecutionEnvironment).Assembly.GetName().Version!.ToString(2);

    private readonly TempDirectory _root = new();

    private readonly ArtifactStore _store;

    public ArtifactStoreTests() => _store = new ArtifactStore(_root.Path);

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task SavesABuildOutputZippedAtItsRoot()
    {
        var before = DateTimeOffset.UtcNow;
        var artifact = await _store.SaveAsync(Zip(WordCount), "wordcount.zip", CancellationToken.None);

        Assert.Matches("^[0-9a-f]{32}$", artifact.Id);
        Assert.Equal("wordcount.zip", artifact.FileName);
        Assert.InRange(artifact.UploadedAt, before, DateTimeOffset.UtcNow);
        Assert.Equal(Path.Combine(_root.Path, artifact.Id), artifact.Directory);
        Assert.Equal(Path.Combine(artifact.Directory, "WordCount.dll"), artifact.EntryAssemblyPath);
        Assert.Equal("Rill.Samples.WordCount.Program", artifact.EntryPointType);
        Assert.True(File.Exists(artifact.EntryAssemblyPath));
        Assert.Equal(artifact, _store.Get(artifact.Id));
        Assert.Equal([artifact], _store.List());
    }

    [Fact]
    public async Task SavesABuildOutputZippedAsOneFolder()
    {
        var artifact = await _store.SaveAsync(Zip(Files(ClickCounts), topLevelFolder: "net10.0"), "clicks.zip", CancellationToken.None);

        Assert.Equal(Path.Combine(artifact.Directory, "net10.0", "ClickCounts.dll"), artifact.EntryAssemblyPath);
        Assert.Equal("Rill.Samples.ClickCounts.Program", artifact.EntryPointType);
    }

    [Fact]
    public async Task FindsTheEntryPointOfTopLevelStatements()
    {
        var artifact = await _store.SaveAsync(Zip(TopLevelApp), "app.zip", CancellationToken.None);

        Assert.Equal("Program", artifact.EntryPointType);
    }

    [Fact]
    public async Task ReadsAnUploadThatCannotSeek()
    {
        var artifact = await _store.SaveAsync(new ForwardOnlyStream(Zip(WordCount)), "wordcount.zip", CancellationToken.None);

        Assert.Equal("Rill.Samples.WordCount.Program", artifact.EntryPointType);
        Assert.Equal([artifact.Id, artifact.Id + ".json"], Directory.EnumerateFileSystemEntries(_root.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task PrefersTheApplicationWithAnEntryPointWhenSeveralDllsHaveARuntimeConfig()
    {
        var files = Files(WordCount);
        files["Rill.Core.runtimeconfig.json"] = files["WordCount.runtimeconfig.json"];

        var artifact = await _store.SaveAsync(Zip(files), "wordcount.zip", CancellationToken.None);

        Assert.Equal(Path.Combine(artifact.Directory, "WordCount.dll"), artifact.EntryAssemblyPath);
    }

    [Fact]
    public async Task ListsInUploadOrderKeepsArtifactsAcrossRestartsAndDeletes()
    {
        var first = await _store.SaveAsync(Zip(WordCount), "first.zip", CancellationToken.None);
        var second = await _store.SaveAsync(Zip(TopLevelApp), "second.zip", CancellationToken.None);

        var reopened = new ArtifactStore(_root.Path);
        Assert.Equal([first, second], reopened.List());

        Assert.True(reopened.Delete(first.Id));
        Assert.Null(_store.Get(first.Id));
        Assert.False(Directory.Exists(first.Directory));
        Assert.False(_store.Delete(first.Id));
        Assert.Equal([second], _store.List());
    }

    [Theory]
    [InlineData("../../etc")]
    [InlineData("")]
    [InlineData("0123456789ABCDEF0123456789ABCDEF")]
    [InlineData("0123456789abcdef0123456789abcde")]
    public void IgnoresIdsThatAreNotArtifactIds(string id)
    {
        Assert.Null(_store.Get(id));
        Assert.False(_store.Delete(id));
    }

    [Fact]
    public async Task RefusesAnUploadThatIsNotAZip()
    {
        await AssertRefusedAsync(new MemoryStream(Encoding.UTF8.GetBytes("MZ this is not a zip at all")), "The upload is not a zip archive");
        await AssertRefusedAsync(new MemoryStream(), "The upload is not a zip archive");
    }

    [Fact]
    public async Task RefusesADamagedZip()
    {
        var text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 2000).Select(i => $"line {i}\n")));
        var zip = Zip(("notes.txt", text)).ToArray();
        zip.AsSpan(60, 20).Fill(0xFF);

        await AssertRefusedAsync(new MemoryStream(zip), "The zip archive is damaged or uses an unsupported format: its entry 'notes.txt' cannot be read.");
        await AssertRefusedAsync(new MemoryStream(zip[..^30]), "The upload is not a zip archive");
    }

    [Theory]
    [InlineData("../escaped.txt")]
    [InlineData("lib/../../escaped.txt")]
    [InlineData("..\\escaped.txt")]
    [InlineData("/tmp/escaped.txt")]
    public async Task RefusesZipEntriesThatEscapeTheArtifactDirectory(string entry)
    {
        var files = Files(WordCount);
        files[entry] = "pwned"u8.ToArray();

        await AssertRefusedAsync(Zip(files), $"The zip entry '{entry}' points outside the folder it is extracted to");

        Assert.False(File.Exists(Path.Combine(_root.Path, "escaped.txt")));
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(_root.Path)!, "escaped.txt")));
    }

    [Fact]
    public async Task RefusesAZipWithoutAnApplication()
    {
        var files = Files(WordCount);
        await AssertRefusedAsync(Zip(("README.md", "# nothing to run"u8.ToArray()), ("Rill.Core.dll", files["Rill.Core.dll"])), "The zip contains no .NET application");

        // The runtime config alone does not make an application: it needs its dll.
        files.Remove("WordCount.dll");
        await AssertRefusedAsync(Zip(files), "The zip contains no .NET application");

        // Two folders are not one build output.
        await AssertRefusedAsync(Zip(Files(WordCount).Select(f => KeyValuePair.Create("a/" + f.Key, f.Value)).Append(KeyValuePair.Create("b/x.txt", Array.Empty<byte>()))),
            "The zip contains no .NET application");
    }

    [Fact]
    public async Task RefusesAnApplicationWithoutAnEntryPoint()
    {
        var files = Files(WordCount);

        await AssertRefusedAsync(
            Zip(("Rill.Core.dll", files["Rill.Core.dll"]), ("Rill.Core.runtimeconfig.json", files["WordCount.runtimeconfig.json"])),
            "Rill.Core.dll has no entry point: build the application as an executable (<OutputType>Exe</OutputType>).");
    }

    [Fact]
    public async Task RefusesAnApplicationThatDoesNotUseRill()
    {
        await AssertRefusedAsync(Zip(PlainConsoleApp), "PlainConsoleApp.dll does not reference Rill.Core, so it defines no Rill job");
    }

    [Fact]
    public async Task RefusesAnApplicationBuiltAgainstAnotherRill()
    {
        var files = Files(WordCount);
        files["WordCount.dll"] = AssemblyPatcher.WithRillCoreReference(files["WordCount.dll"], new Version(0, 99, 0, 0));

        await AssertRefusedAsync(Zip(files), $"The application was built against Rill 0.99, this cluster runs Rill {HostRill}: rebuild it against Rill {HostRill}.");
    }

    [Fact]
    public async Task RefusesAnApplicationThatShipsAnotherRillCore()
    {
        var files = Files(WordCount);
        files["Rill.Core.dll"] = AssemblyPatcher.WithAssemblyVersion(files["Rill.Core.dll"], new Version(7, 3, 0, 0));

        await AssertRefusedAsync(Zip(files), $"The application was built against Rill 7.3, this cluster runs Rill {HostRill}");
    }

    [Fact]
    public async Task AcceptsAnApplicationBuiltAgainstAnotherPatchRelease()
    {
        var host = typeof(StreamExecutionEnvironment).Assembly.GetName().Version!;
        var files = Files(WordCount);
        files["WordCount.dll"] = AssemblyPatcher.WithRillCoreReference(files["WordCount.dll"], new Version(host.Major, host.Minor, host.Build + 7, 0));

        var artifact = await _store.SaveAsync(Zip(files), "patched.zip", CancellationToken.None);

        Assert.NotNull(_store.Get(artifact.Id));
    }

    [Fact]
    public async Task RefusesSeveralUnrelatedApplications()
    {
        var files = Files(ClickCounts);
        foreach (var (name, content) in Files(WordCount))
        {
            files[name] = content;
        }

        await AssertRefusedAsync(Zip(files), "The zip contains several applications (ClickCounts.dll, WordCount.dll): upload the build output of one application.");
    }

    [Theory]
    [InlineData("0.1.0.0", "0.1.0.0", true)]
    [InlineData("0.1.9.0", "0.1.0.0", true)]
    [InlineData("0.1.0.0", "0.1.5.3", true)]
    [InlineData("0.2.0.0", "0.1.0.0", false)]
    [InlineData("1.1.0.0", "0.1.0.0", false)]
    public void VersionsAreCompatibleWhenMajorAndMinorMatch(string builtAgainst, string host, bool compatible)
    {
        var check = () => ApplicationInspector.CheckCompatible(Version.Parse(builtAgainst), Version.Parse(host));

        if (compatible)
        {
            check();
        }
        else
        {
            Assert.Throws<InvalidArtifactException>(check);
        }
    }

    /// <summary>Refused with a message that starts with <paramref name="message"/>, one sentence, and nothing left on disk.</summary>
    private async Task AssertRefusedAsync(Stream upload, string message)
    {
        var refusal = await Assert.ThrowsAsync<InvalidArtifactException>(() => _store.SaveAsync(upload, "upload.zip", CancellationToken.None));

        Assert.StartsWith(message, refusal.Message, StringComparison.Ordinal);
        Assert.EndsWith(".", refusal.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', refusal.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_root.Path));
        Assert.Empty(_store.List());
    }

    /// <summary>A request body: read once, front to back.</summary>
    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
