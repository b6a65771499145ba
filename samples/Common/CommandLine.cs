using Rill.Api;

namespace Rill.Samples;

/// <summary>
/// Turns the outcome of a sample into an exit code and, on failure, exactly one line on stderr ("error: ...", or
/// "FILE:LINE: reason" for a malformed input line):
/// 0 success, 1 the run failed (missing input, a malformed line, earlier results in the way, the job failed), 2 usage error.
/// Users read these lines, so no stack traces.
/// </summary>
internal static class CommandLine
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int UsageError = 2;

    public static async Task<int> RunAsync(string usage, Func<Task> run)
    {
        try
        {
            await run();
            return Success;
        }
        catch (Rill.Executors.ProgramAbortException)
        {
            throw; // a cluster is planning this program (session mode): the abort must reach the planner
        }
        catch (UsageException e)
        {
            return Report(UsageError, $"{e.Message} Usage: {usage}");
        }
        catch (JobExecutionException e) when (e.InnerException is MalformedLineException malformed)
        {
            // Exactly "FILE:LINE: reason", like a compiler error: it points at the input, which is all the user needs to fix it.
            Console.Error.WriteLine(malformed.Message.ReplaceLineEndings(" "));
            return Failure;
        }
        catch (JobExecutionException e)
        {
            // The message names the job and the operator that failed, and carries the user's exception message.
            return Report(Failure, e.Message);
        }
        catch (Exception e)
        {
            // RILL_DEBUG=1 shows where an unexpected error came from; users get one line.
            return Report(Failure, Environment.GetEnvironmentVariable("RILL_DEBUG") == "1" ? e.ToString() : e.Message);
        }
    }

    private static int Report(int exitCode, string message)
    {
        Console.Error.WriteLine("error: " + message.ReplaceLineEndings(" "));
        return exitCode;
    }
}
