using System.Globalization;
using System.Text.Json;
using Rill.Checkpointing;

namespace Rill.Runtime.Entrypoint;

/// <summary>
/// What a client asks to run in session mode, as far as it decides the job (Flink's jar-run body without the job id):
/// the same job id with the same submission is a retry, with another one a conflict.
/// </summary>
/// <remarks>A class, not a record: the arguments are a list, and a record's equality would compare it by reference.</remarks>
internal sealed class SessionSubmission(string artifactId, string? entryClass, IReadOnlyList<string> arguments, int? parallelism,
    SavepointRestoreSettings? savepointRestore)
{
    public string ArtifactId { get; } = artifactId;

    public string? EntryClass { get; } = entryClass;

    public IReadOnlyList<string> Arguments { get; } = arguments;

    public int? Parallelism { get; } = parallelism;

    public SavepointRestoreSettings? SavepointRestore { get; } = savepointRestore;

    /// <summary>
    /// Where <paramref name="now"/> differs from this earlier submission, one phrase per run-request field (named as in
    /// the REST body, with both values); empty when it is the same submission.
    /// </summary>
    public IReadOnlyList<string> DifferencesTo(SessionSubmission now)
    {
        var differences = new List<string>();
        Compare("artifactId", Quoted(ArtifactId), Quoted(now.ArtifactId));
        Compare("entryClass", Quoted(EntryClass), Quoted(now.EntryClass));
        if (!Arguments.SequenceEqual(now.Arguments, StringComparer.Ordinal))
        {
            differences.Add($"programArgsList {JsonSerializer.Serialize(Arguments)} before, {JsonSerializer.Serialize(now.Arguments)} now");
        }

        Compare("parallelism", Parallelism?.ToString(CultureInfo.InvariantCulture) ?? NotGiven, now.Parallelism?.ToString(CultureInfo.InvariantCulture) ?? NotGiven);
        Compare("savepointPath", Quoted(SavepointRestore?.Path), Quoted(now.SavepointRestore?.Path));
        if (SavepointRestore is { } before && now.SavepointRestore is { } after && before.AllowNonRestoredState != after.AllowNonRestoredState)
        {
            differences.Add($"allowNonRestoredState {Bool(before.AllowNonRestoredState)} before, {Bool(after.AllowNonRestoredState)} now");
        }

        return differences;

        void Compare(string field, string earlier, string later)
        {
            if (!string.Equals(earlier, later, StringComparison.Ordinal))
            {
                differences.Add($"{field} {earlier} before, {later} now");
            }
        }
    }

    private const string NotGiven = "not given";

    private static string Quoted(string? value) => value is null ? NotGiven : $"'{value}'";

    private static string Bool(bool value) => value ? "true" : "false";
}
