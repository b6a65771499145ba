using Spectre.Console;

namespace Rill.Cli.Output;

/// <summary>
/// Where command results go. On a terminal: colours, rounded tables, a live status line. Redirected (a pipe, a file, a
/// test): no escape codes, no animation, and rows never wrapped at an imagined 80 columns, so ids stay whole for grep
/// and scripts.
/// </summary>
internal static class Terminal
{
    public static bool IsInteractive => !Console.IsOutputRedirected;

    public static IAnsiConsole CreateStdout()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = IsInteractive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = IsInteractive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = IsInteractive ? InteractionSupport.Detect : InteractionSupport.No,
            Out = new AnsiConsoleOutput(Console.Out),
        });
        if (!IsInteractive)
        {
            console.Profile.Width = 4096;
        }

        return console;
    }

    /// <summary>A table in the house style: framed on a terminal, plain aligned columns when redirected.</summary>
    public static Table CreateTable(params string[] headers)
    {
        var table = new Table { Border = IsInteractive ? TableBorder.Rounded : TableBorder.None };
        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn(new Text(header)).NoWrap());
        }

        return table;
    }

    /// <summary>Cells are plain text: names and ids come from users and servers, and '[' would otherwise read as markup.</summary>
    public static void AddRow(Table table, params string[] cells) => table.AddRow(cells.Select(cell => new Text(cell)).ToArray());
}
