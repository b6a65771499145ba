using System.Text.RegularExpressions;

namespace Rill.Samples.Tests;

/// <summary>Generated text for WordCount and the counts the spec says it must produce, computed without Rill.</summary>
internal static partial class WordCountInput
{
    // Mixed case, digits, accents, non-Latin scripts, a combining accent (not a letter: it ends the word), letters
    // outside the BMP (surrogate pairs: they end words too), emoji, and separators a naive split on spaces misses.
    private static readonly string[] Tokens =
    [
        "Hello", "hello", "HELLO", "hElLo", "Straße", "STRASSE", "Ärger", "ärger", "Σίσυφος", "ΣΊΣΥΦΟΣ", "Жук", "жук",
        "naïve", "Café", "cafe\u0301", "日本語", "テスト", "abc123", "ABC123", "2024", "007", "٣٤٥", "x²", "½", "İstanbul",
        "𝐀𝐁𝐂", "a𝐀b", "😀", "emoji😀Face", "don't", "e-mail", "snake_case", "tab\tbed", "Rill", "rill", "RILL",
    ];

    private static readonly string[] Separators = [" ", "  ", ", ", ". ", "--", "\t", "; ", " (", ") ", "!", "?"];

    public static IReadOnlyList<string> Lines(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(i => string.Concat(Enumerable.Range(0, random.Next(0, 16))
                .Select(_ => Tokens[random.Next(Tokens.Length)] + Separators[random.Next(Separators.Length)]))
                + (i % 7 == 0 ? "\r" : string.Empty)) // some Windows line endings
            .ToArray();
    }

    /// <summary>"word\tcount" per distinct word, straight from the spec.</summary>
    public static IReadOnlyList<string> ExpectedCounts(IEnumerable<string> lines) =>
        lines.SelectMany(line => Word().Matches(line).Select(match => string.Concat(match.Value.Select(char.ToLowerInvariant))))
            .GroupBy(word => word, StringComparer.Ordinal)
            .Select(group => $"{group.Key}\t{group.Count()}")
            .Order(StringComparer.Ordinal)
            .ToArray();

    // Regex classes test one UTF-16 char at a time, like char.IsLetterOrDigit: letters (L*) and decimal digits
    // (Nd); a surrogate is category Cs, so it ends a word, exactly as the spec says.
    [GeneratedRegex(@"[\p{L}\p{Nd}]+")]
    private static partial Regex Word();
}
