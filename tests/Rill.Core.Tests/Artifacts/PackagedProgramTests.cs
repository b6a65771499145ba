using System.Runtime.CompilerServices;
using Rill.Api;
using Rill.Functions;
using Rill.Graph;
using Rill.Runtime.Artifacts;
using static Rill.Tests.Artifacts.TestApplications;

namespace Rill.Tests.Artifacts;

public sealed class PackagedProgramTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private readonly ArtifactStore _store;

    public PackagedProgramTests() => _store = new ArtifactStore(_temp.Combine("artifacts"));

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task PlansWordCountAsTheSameProgramPlannedInProcessWithoutRunningIt()
    {
        var input = WriteInput("hamlet.txt", "To be, or not to be\n");
        var output = _temp.Combine("counts");

        using var program = await PackagedProgram.PlanAsync(await SaveAsync(WordCount), entryClass: null, ["--input", input, "--output", output, "--parallelism", "2"]);

        var expected = WordCountPlannedInProcess(input, output, parallelism: 2);
        Assert.Equal("WordCount", program.Graph.JobName);
        Assert.Equal(RuntimeExecutionMode.Batch, program.Graph.RuntimeMode);
        Assert.Equal(Describe(expected), Describe(program.Graph));
        Assert.Equal(VertexIds(expected), VertexIds(program.Graph));

        // The program stopped at Execute: it prepared its output directory, as it does before Execute, but no job filled it.
        Assert.Empty(Directory.Exists(output) ? Directory.EnumerateFileSystemEntries(output) : []);
    }

    [Fact]
    public async Task PlansClickCounts()
    {
        var input = WriteInput("clicks.csv", "");
        var output = _temp.Combine("windows");

        using var program = await PackagedProgram.PlanAsync(await SaveAsync(ClickCounts), entryClass: null, ["--input", input, "--output", output]);

        Assert.Equal("ClickCounts", program.Graph.JobName);
        Assert.Equal(RuntimeExecutionMode.Streaming, program.Graph.RuntimeMode);
        var names = program.Graph.Nodes.Select(n => n.Name).ToList();
        Assert.Equal($"File Source ({input})", names[0]);
        Assert.Subset(
            names.ToHashSet(),
            new HashSet<string> { "Parse Clicks", "Count Clicks per User and Minute", "File Sink", "Count Late Clicks", "Discard Late Clicks" });
        Assert.Empty(Directory.Exists(output) ? Directory.EnumerateFileSystemEntries(output) : []);
    }

    [Theory]
    [InlineData(WordCount)]
    [InlineData(ClickCounts)]
    public async Task PlanningTheSameArtifactTwiceGivesTheSameVertexIds(string application)
    {
        var artifact = await SaveAsync(application);
        string[] args = ["--parallelism", "3"];

        using var first = await PackagedProgram.PlanAsync(artifact, entryClass: null, args);
        using var second = await PackagedProgram.PlanAsync(artifact, entryClass: null, args);

        Assert.NotEmpty(VertexIds(first.Graph));
        Assert.Equal(VertexIds(first.Graph), VertexIds(second.Graph));
        Assert.NotSame(first.LoadContext, second.LoadContext);
    }

    [Fact]
    public async Task SharesRillWithTheHostAndLoadsTheApplicationInItsOwnContext()
    {
        using var program = await PackagedProgram.PlanAsync(await SaveAsync(WordCount), entryClass: null, []);

        var loaded = program.LoadContext!.Assemblies.Select(a => a.GetName().Name).ToList();
        Assert.Contains(WordCount, loaded);
        Assert.DoesNotContain(loaded, name => name!.StartsWith("Rill.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PlansAnApplicationBuiltAgainstANewerPatchRelease()
    {
        // Binding Rill.Core 0.1.7 must not fail on the cluster's 0.1.0: the context hands out the cluster's copy as is.
        var host = typeof(StreamExecutionEnvironment).Assembly.GetName().Version!;
        var files = Files(WordCount);
        files["WordCount.dll"] = AssemblyPatcher.WithRillCoreReference(files["WordCount.dll"], new Version(host.Major, host.Minor, host.Build + 7, 0));
        var artifact = await _store.SaveAsync(Zip(files), "patched.zip", CancellationToken.None);

        using var program = await PackagedProgram.PlanAsync(artifact, entryClass: null, []);

        Assert.Equal("WordCount", program.Graph.JobName);
    }

    [Fact]
    public async Task DisposeUnloadsTheApplication()
    {
        var context = await PlanAndDisposeAsync(await SaveAsync(WordCount));

        // From later work items only: the helper's own frames, which still reference the program, may be below this
        // continuation on the stack until it returns.
        for (var i = 0; context.IsAlive && i < 100; i++)
        {
            await Task.Delay(10);
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.False(context.IsAlive, "The application's load context was not collected after Dispose.");
    }

    [Fact]
    public async Task PlansTopLevelStatementsWithTheirArguments()
    {
        using var program = await PackagedProgram.PlanAsync(await SaveAsync(TopLevelApp), entryClass: null, ["Named By Argument", "x"]);

        Assert.Equal("Named By Argument", program.Graph.JobName);
        Assert.Contains("Upper Case", program.Graph.Nodes.Select(n => n.Name));
    }

    [Theory]
    [InlineData("Program", "Upper Case")]
    [InlineData("TopLevelApp.BlockingMain", "Double")]
    [InlineData("TopLevelApp.Outer+Inner", "Print to Std. Out")]
    public async Task PlansTheMainOfANamedEntryClass(string entryClass, string operatorName)
    {
        using var program = await PackagedProgram.PlanAsync(await SaveAsync(TopLevelApp), entryClass, ["Some Job"]);

        Assert.Contains(operatorName, program.Graph.Nodes.Select(n => n.Name));
    }

    [Theory]
    [InlineData(WordCount, null, "Main", typeof(Task<int>))]
    [InlineData(TopLevelApp, null, "<Main>$", typeof(Task))]
    [InlineData(TopLevelApp, "Program", "<Main>$", typeof(Task))]
    [InlineData(TopLevelApp, "TopLevelApp.BlockingMain", "Main", typeof(int))]
    public void RunsTheAsyncMainRatherThanTheBlockingWrapperTheCompilerMakesForIt(string application, string? entryClass, string method, Type returnType)
    {
        var path = Path.Combine(Folder(application), application + ".dll");
        var context = new ApplicationLoadContext(path);
        try
        {
            var main = PackagedProgram.FindMain(context.LoadFromAssemblyPath(path), entryClass);

            Assert.Equal(method, main.Name);
            Assert.Equal(returnType, main.ReturnType);
        }
        finally
        {
            context.Unload();
        }
    }

    [Fact]
    public async Task RefusesAnEntryClassThatDoesNotExist()
    {
        var artifact = await SaveAsync(TopLevelApp);

        var refusal = await Assert.ThrowsAsync<InvalidArtifactException>(() => PackagedProgram.PlanAsync(artifact, "TopLevelApp.Missing", []));

        Assert.Equal("The application has no class TopLevelApp.Missing.", refusal.Message);
    }

    [Theory]
    [InlineData("TopLevelApp.FailsWithExitCode", "The program failed before it defined a job: it exited with code 3")]
    [InlineData("TopLevelApp.Throws", "The program failed before it defined a job: the input is missing")]
    [InlineData("TopLevelApp.NeverExecutes", "The program ended without executing a job")]
    public async Task ReportsAProgramThatDefinesNoJob(string entryClass, string message)
    {
        var artifact = await SaveAsync(TopLevelApp);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => PackagedProgram.PlanAsync(artifact, entryClass, []));

        Assert.StartsWith(message, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlansSeveralProgramsAtOnce()
    {
        var wordCount = await SaveAsync(WordCount);
        var topLevel = await SaveAsync(TopLevelApp);

        var plans = await Task.WhenAll(
            Enumerable.Range(0, 4).Select(i => i % 2 == 0
                ? PackagedProgram.PlanAsync(wordCount, entryClass: null, [])
                : PackagedProgram.PlanAsync(topLevel, entryClass: null, [$"Job {i}"])));
        try
        {
            Assert.Equal(["WordCount", "Job 1", "WordCount", "Job 3"], plans.Select(p => p.Graph.JobName));
        }
        finally
        {
            foreach (var plan in plans)
            {
                plan.Dispose();
            }
        }
    }

    /// <summary>Only a weak reference leaves this method, so nothing of the application stays reachable from the test.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<WeakReference> PlanAndDisposeAsync(ArtifactInfo artifact)
    {
        var program = await PackagedProgram.PlanAsync(artifact, entryClass: null, []);
        var unloading = false;
        program.LoadContext!.Unloading += _ => unloading = true;
        var context = new WeakReference(program.LoadContext);
        Assert.True(program.Graph.Nodes.Count > 0);

        program.Dispose();

        Assert.True(unloading, "Dispose did not unload the application's load context.");
        Assert.Null(program.LoadContext);
        return context;
    }

    /// <summary>WordCountJob's dataflow, written here against the same Rill.</summary>
    private static StreamGraph WordCountPlannedInProcess(string input, string output, int parallelism)
    {
        var env = StreamExecutionEnvironment.GetExecutionEnvironment();
        env.SetRuntimeMode(RuntimeExecutionMode.Batch);
        env.SetParallelism(parallelism);
        env.ReadTextFile(input)
            .FlatMap(new NoWords()).Name("Tokenizer")
            .KeyBy(pair => pair.Word)
            .Reduce((a, b) => (a.Word, a.Count + b.Count)).Name("Sum Counts")
            .WriteAsText(output, pair => $"{pair.Word}\t{pair.Count}");
        return env.GetStreamGraph("WordCount");
    }

    private static IReadOnlyList<string> Describe(StreamGraph graph) =>
        graph.Nodes.Select(n => $"{n.Name} id={n.OperatorId} p={n.Parallelism} in=[{string.Join(", ", n.InEdges.Select(e => e.ToString()))}]").ToList();

    private static IReadOnlyList<string> VertexIds(StreamGraph graph) => JobGraphGenerator.Create(graph).Vertices.Select(v => v.Id).ToList();

    private Task<ArtifactInfo> SaveAsync(string application) => _store.SaveAsync(Zip(application), application + ".zip", CancellationToken.None);

    private string WriteInput(string name, string content)
    {
        var path = _temp.Combine(name);
        File.WriteAllText(path, content);
        return path;
    }

    private sealed class NoWords : IFlatMapFunction<string, (string Word, long Count)>
    {
        public void FlatMap(string line, ICollector<(string Word, long Count)> output)
        {
        }
    }
}
