namespace Rill.Samples;

/// <summary>A line that is not a click; the message is "FILE:LINE: reason", LINE counted in the whole file.</summary>
internal sealed class MalformedLineException(string location, string reason) : Exception($"{location}: {reason}");
