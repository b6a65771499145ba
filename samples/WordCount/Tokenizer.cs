using Rill.Functions;

namespace Rill.Samples.WordCount;

/// <summary>
/// Splits a line into lowercased words, each paired with the count 1. A word is a maximal run of UTF-16 chars
/// for which <see cref="char.IsLetterOrDigit(char)"/> holds, so punctuation, spaces and also surrogates end a
/// word (a surrogate is not a letter on its own). Lowercasing is per char and culture-independent, so every
/// machine counts the same words.
/// </summary>
internal sealed class Tokenizer : IFlatMapFunction<string, (string Word, long Count)>
{
    public void FlatMap(string line, ICollector<(string Word, long Count)> output)
    {
        var start = 0;
        while (start < line.Length)
        {
            if (!char.IsLetterOrDigit(line[start]))
            {
                start++;
                continue;
            }

            var end = start + 1;
            while (end < line.Length && char.IsLetterOrDigit(line[end]))
            {
                end++;
            }

            output.Collect((ToLower(line.AsSpan(start, end - start)), 1));
            start = end;
        }
    }

    private static string ToLower(ReadOnlySpan<char> word)
    {
        var lower = new char[word.Length];
        for (var i = 0; i < word.Length; i++)
        {
            lower[i] = char.ToLowerInvariant(word[i]);
        }

        return new string(lower);
    }
}
