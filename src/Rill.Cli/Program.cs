using System.CommandLine;
using System.CommandLine.Invocation;
using Rill.Cli;
using Rill.Cli.Commands;
using Rill.Cli.Rest;

// Exit codes and error output are a contract (see ExitCodes): every expected failure is one "error: ..." line on
// stderr, so System.CommandLine's own reporting (errors plus the whole help text, exit code 1) is replaced.
var parse = RillRootCommand.Create().Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
if (parse.Action is ParseErrorAction)
{
    return Fail(ExitCodes.Usage, UsageErrors.Describe(parse) + " See 'rill --help'.");
}

using var shutdown = new ShutdownSignal();
try
{
    return await parse.InvokeAsync(
        // Signals are ShutdownSignal's: System.CommandLine's handler would force exit code 130/143 after a timeout.
        new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false },
        shutdown.Token).ConfigureAwait(false);
}
catch (UsageException e)
{
    return Fail(ExitCodes.Usage, e.Message);
}
catch (Exception e) when (e is CommandFailedException or RestClientException)
{
    return Fail(ExitCodes.Failure, e.Message);
}
catch (OperationCanceledException) when (shutdown.Token.IsCancellationRequested)
{
    return Fail(ExitCodes.Failure, "interrupted.");
}
catch (Exception e) when (Environment.GetEnvironmentVariable("RILL_DEBUG") is not "1")
{
    // A bug, not a user mistake: still one line, with the way to get the details for a report.
    return Fail(ExitCodes.Failure, $"unexpected {e.GetType().Name}: {e.Message} (run with RILL_DEBUG=1 for the stack trace)");
}

static int Fail(int exitCode, string message)
{
    Console.Error.WriteLine("error: " + string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
    return exitCode;
}
