using Rill.Tests.Shared;

namespace Rill.Cli.Tests;

/// <summary>The programs these tests start (their paths recorded by the project file at compile time).</summary>
internal static class Programs
{
    public const string Rill = "rill";
    public const string WordCount = "WordCount";
    public const string ClickCounts = "ClickCounts";
    public const string CheckpointedCounter = "CheckpointedCounter";

    public static string AssemblyPath(string program) => BuiltPrograms.AssemblyPath(typeof(Programs).Assembly, program);

    public static string DotnetHost() => BuiltPrograms.DotnetHost();
}
