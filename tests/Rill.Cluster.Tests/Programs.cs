using Rill.Tests.Shared;

namespace Rill.Cluster.Tests;

/// <summary>The programs the tests start as OS processes, found where the build recorded them.</summary>
internal static class Programs
{
    public const string WordCount = "WordCount";
    public const string ClickCounts = "ClickCounts";
    public const string KafkaClickCounts = "KafkaClickCounts";

    /// <summary>The <c>rill</c> CLI (src/Rill.Cli, AssemblyName <c>rill</c>).</summary>
    public const string Rill = "rill";

    public static string AssemblyPath(string program) => BuiltPrograms.AssemblyPath(typeof(Programs).Assembly, program);

    public static string DotnetHost() => BuiltPrograms.DotnetHost();
}
