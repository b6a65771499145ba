using System.Reflection;
using Rill.Executors;
using Rill.Graph;

namespace Rill.Runtime.Artifacts;

/// <summary>
/// An uploaded application, loaded and planned (Flink's PackagedProgram): its entry point ran up to its
/// <c>Execute</c> call, which yielded <see cref="Graph"/>. Every process that needs the job's graph plans the same
/// artifact with the same arguments, since jobs are code and graphs are never shipped.
/// </summary>
/// <remarks>
/// Planning runs the application's own code in this process, up to <c>Execute</c>: whatever the program does before
/// (parse its arguments, check its input, create its output directory, print) happens here, and its console output
/// goes to this process's console. That output is not redirected: <c>Console</c> is process-wide, so capturing it
/// would also capture every other thread of the cluster. A program that never reaches <c>Execute</c> (it waits for
/// input, say) keeps <see cref="PlanAsync"/> waiting; callers bound it with a timeout.
/// </remarks>
public sealed class PackagedProgram : IDisposable
{
    private const string AsyncWrapperName = "<Main>";

    private ApplicationLoadContext? _context;

    private PackagedProgram(ArtifactInfo artifact, ApplicationLoadContext context, StreamGraph graph)
    {
        Artifact = artifact;
        _context = context;
        Graph = graph;
    }

    public ArtifactInfo Artifact { get; }

    /// <summary>The job the program defined. Its operators are the application's objects: they keep it loaded while reachable.</summary>
    public StreamGraph Graph { get; }

    /// <summary>The context the application is loaded in, until <see cref="Dispose"/>.</summary>
    internal ApplicationLoadContext? LoadContext => _context;

    /// <summary>Loads <paramref name="artifact"/> in a new <see cref="ApplicationLoadContext"/> and runs it up to <c>Execute</c>.</summary>
    /// <param name="entryClass">
    /// Full name of the class whose static <c>Main</c> to run (<c>Namespace.Outer+Inner</c> for a nested class); null
    /// for the application's own entry point.
    /// </param>
    /// <param name="args">The program's command-line arguments.</param>
    /// <exception cref="InvalidArtifactException">The entry class does not exist, or has no usable <c>Main</c>.</exception>
    /// <exception cref="InvalidOperationException">The program failed, or ended, without calling <c>Execute</c>.</exception>
    /// <summary>How long callers wait for a program to reach <c>Execute</c> (a program that blocks first never would).</summary>
    public static readonly TimeSpan PlanningTimeout = TimeSpan.FromMinutes(2);

    public static async Task<PackagedProgram> PlanAsync(ArtifactInfo artifact, string? entryClass, IReadOnlyList<string> args, int? defaultParallelism = null)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        ArgumentNullException.ThrowIfNull(args);

        var context = new ApplicationLoadContext(artifact.EntryAssemblyPath);
        try
        {
            var assembly = context.LoadFromAssemblyPath(artifact.EntryAssemblyPath);
            var main = FindMain(assembly, entryClass);

            // Code that loads types by name (Type.GetType, Assembly.Load) from shared Rill or framework code must
            // find the application's assemblies too; the scope flows with the program into the thread pool.
            StreamGraph graph;
            using (context.EnterContextualReflection())
            using (var console = PlanningConsole.Begin())
            {
                try
                {
                    graph = await ProgramPlanner.CapturePlanAsync(() => RunAsync(main, args), defaultParallelism).ConfigureAwait(false);
                }
                catch (InvalidOperationException e) when (console.Errors.Trim() is { Length: > 0 } errors)
                {
                    throw new InvalidOperationException($"{e.Message} Its error output: {errors.ReplaceLineEndings(" ")}", e);
                }
            }

            return new PackagedProgram(artifact, context, graph);
        }
        catch
        {
            context.Unload();
            throw;
        }
    }

    /// <summary>
    /// Unloads the application. The unload completes once nothing references its types any more, <see cref="Graph"/>
    /// included.
    /// </summary>
    public void Dispose() => Interlocked.Exchange(ref _context, null)?.Unload();

    internal static MethodInfo FindMain(Assembly assembly, string? entryClass)
    {
        if (entryClass is null)
        {
            var entryPoint = assembly.EntryPoint
                ?? throw new InvalidArtifactException($"{assembly.GetName().Name}.dll has no entry point: name the class whose Main to run.");

            // For an async Main the compiler makes the entry point a synchronous wrapper that blocks on the returned
            // task. Awaiting the real method instead keeps a thread-pool thread free while the program awaits.
            return entryPoint.Name == AsyncWrapperName && entryPoint.DeclaringType is { } type
                && MainMethods(type).FirstOrDefault(m => IsAsync(m) && TakesArguments(m) == TakesArguments(entryPoint)) is { } asyncMain
                ? asyncMain
                : entryPoint;
        }

        var entryType = assembly.GetType(entryClass, throwOnError: false)
            ?? throw new InvalidArtifactException($"The application has no class {entryClass}.");

        // As the C# compiler chooses: a synchronous Main wins over an async one, Main(string[]) over Main().
        return MainMethods(entryType).OrderBy(IsAsync).ThenBy(m => TakesArguments(m) == false).FirstOrDefault()
            ?? throw new InvalidArtifactException(
                $"The class {entryClass} has no static Main method that takes no arguments or a string[] and returns void, int, Task or Task<int>.");
    }

    /// <summary>The methods C# accepts as entry points; <c>&lt;Main&gt;$</c> is the one top-level statements compile to.</summary>
    private static IEnumerable<MethodInfo> MainMethods(Type type) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(m => m.Name is "Main" or "<Main>$"
                && !m.IsGenericMethodDefinition
                && TakesArguments(m) is not null
                && (m.ReturnType == typeof(void) || m.ReturnType == typeof(int) || IsAsync(m)));

    /// <summary>Whether Main takes the command line (a string[]), or null when its parameters are not Main's.</summary>
    private static bool? TakesArguments(MethodInfo method) => method.GetParameters() switch
    {
        [] => false,
        [var parameter] when parameter.ParameterType == typeof(string[]) => true,
        _ => null,
    };

    private static bool IsAsync(MethodInfo method) => method.ReturnType == typeof(Task) || method.ReturnType == typeof(Task<int>);

    private static Task RunAsync(MethodInfo main, IReadOnlyList<string> args) =>
        // On the thread pool: a synchronous Main blocks its thread until the program ends (or is stopped at Execute),
        // and an async one must not capture the caller's synchronization context.
        Task.Run(async () =>
        {
            object?[] arguments = TakesArguments(main) == true ? [args.ToArray()] : [];

            // DoNotWrapExceptions: the program's own exception, not a TargetInvocationException, says what went wrong.
            var result = main.Invoke(null, BindingFlags.DoNotWrapExceptions, binder: null, arguments, culture: null);
            var exitCode = 0;
            if (result is Task<int> withExitCode)
            {
                exitCode = await withExitCode.ConfigureAwait(false);
            }
            else if (result is Task task)
            {
                await task.ConfigureAwait(false);
            }
            else if (result is int code)
            {
                exitCode = code;
            }

            // Programs that report errors themselves (a message on stderr, exit code 1) would otherwise only "end
            // without executing a job". After Execute this is harmless: the captured plan wins.
            if (exitCode != 0)
            {
                throw new ProgramExitException(exitCode);
            }
        });

    /// <summary>The program returned a non-zero exit code.</summary>
    private sealed class ProgramExitException(int exitCode)
        : Exception($"it exited with code {exitCode}.");
}
