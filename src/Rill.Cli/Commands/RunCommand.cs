using System.CommandLine;
using System.CommandLine.Parsing;
using Rill.Cli.Options;
using Rill.Cli.Output;
using Rill.Cli.Rest;
using Rill.Runtime.Messages;
using Spectre.Console;

namespace Rill.Cli.Commands;

/// <summary>
/// <c>rill run APP.dll</c>: uploads the application's build output to the JobManager, runs it there (Flink's jar
/// upload and jar run) and, unless detached, waits for the job to end. Nothing runs locally: the cluster plans the job
/// from the uploaded program, so the client needs no access to the job's inputs.
/// </summary>
internal static class RunCommand
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    // A run whose answer was lost is sent again, unchanged: its job id makes that safe (the JobManager answers with the
    // job the first one started, or with the same error). Only when no HTTP answer came: any answer, 5xx too, is final.
    private static readonly TimeSpan[] RunRetryDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)];

    public static Command Create()
    {
        var application = new Argument<FileInfo>("APP")
        {
            Description = "The application's .dll in its build output folder (e.g. bin/Release/net10.0/MyJob.dll); the whole folder is uploaded.",
        };
        application.Validators.Add(ValidateApplication);
        var programArguments = new Argument<string[]>("ARGS")
        {
            Description = "Arguments for the application's Main, after '--' (e.g. -- --input data.txt).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var jobManager = ClusterOptions.JobManager();
        var authToken = ClusterOptions.AuthToken("Bearer token for the JobManager's REST API");
        var parallelism = new Option<int?>("--parallelism", "-p")
        {
            Description = "Default parallelism of the job's operators; default: the program's own, else the cluster's.",
            HelpName = "N",
            CustomParser = result => OptionValues.Positive(result),
        };
        var entryClass = new Option<string?>("--entry-class")
        {
            Description = "Type whose Main to run, when the application has more than one; default the assembly's entry point.",
            HelpName = "NAME",
        };
        var detached = new Option<bool>("--detached", "-d")
        {
            Description = "Return once the job is submitted instead of waiting for it to end.",
        };
        var fromSavepoint = new Option<string?>("--from-savepoint", "-s")
        {
            Description = "Start the job from this savepoint (or retained checkpoint): its absolute directory on the cluster's file system, as 'rill savepoint' prints it.",
            HelpName = "PATH",
            CustomParser = OptionValues.AbsolutePath,
        };
        var allowNonRestoredState = new Option<bool>("--allow-non-restored-state", "-n")
        {
            Description = "With --from-savepoint: drop the state of operators the program no longer has instead of refusing to start.",
        };
        var jobId = new Option<string?>("--job-id")
        {
            Description = "The job's id (32 lowercase hexadecimal characters); default a fresh random one. A run that gets no answer is sent again under "
                + "this id, and the same run under the same id never starts a second job.",
            HelpName = "ID",
            CustomParser = OptionValues.JobId,
        };

        var command = new Command("run", "Upload an application to the JobManager and run it as a job.")
        {
            application, programArguments, jobManager, authToken, parallelism, entryClass, detached, fromSavepoint, allowNonRestoredState, jobId,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(allowNonRestoredState) && result.GetValue(fromSavepoint) is null)
            {
                result.AddError("--allow-non-restored-state applies to a restore: give --from-savepoint PATH too, or leave it out.");
            }
        });
        command.SetAction(async (parse, cancellation) =>
        {
            var app = parse.GetRequiredValue(application);
            using var client = ClusterOptions.Connect(parse, jobManager, authToken);
            // Chosen here, not by the server, so that a retry of the run is recognizably the same job.
            var submitted = await SubmitAsync(client, app, new RunArtifactRequest(parse.GetValue(jobId) ?? JobIds.Format(Guid.NewGuid()),
                parse.GetValue(entryClass), parse.GetValue(programArguments) ?? [], parse.GetValue(parallelism),
                parse.GetValue(fromSavepoint), parse.GetValue(allowNonRestoredState) ? true : null), cancellation).ConfigureAwait(false);
            Console.WriteLine($"Job has been submitted with JobID {submitted}");
            return parse.GetValue(detached) ? ExitCodes.Success : await WaitAsync(client, submitted, cancellation).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Checked at parse time, so a wrong path is a usage error and nothing is uploaded.</summary>
    private static void ValidateApplication(ArgumentResult result)
    {
        var file = result.GetValueOrDefault<FileInfo>();
        if (file is null)
        {
            return;
        }

        if (!file.Exists)
        {
            result.AddError(Directory.Exists(file.FullName)
                ? $"{file.FullName} is a folder: give the application's .dll inside it."
                : $"{file.FullName} does not exist: give the path of the application's built .dll (dotnet build prints it).");
        }
        else if (!file.Extension.Equals(".dll", StringComparison.OrdinalIgnoreCase))
        {
            result.AddError($"{file.FullName} is not a .dll: give the application's built .dll, not its project or source.");
        }
        else if (!File.Exists(Path.ChangeExtension(file.FullName, ".runtimeconfig.json")))
        {
            // Without X.runtimeconfig.json next to it, X.dll is a library (or a copied file): the JobManager would refuse it.
            result.AddError($"{file.FullName} is not a runnable application: {Path.GetFileNameWithoutExtension(file.Name)}.runtimeconfig.json is missing beside it (build it with <OutputType>Exe</OutputType>).");
        }
    }

    /// <remarks>
    /// The upload is not retried: a failed one started nothing, so running the command again is as safe, and sending a
    /// large application again on its own after a timeout would hide a broken link for minutes (a lost upload answer
    /// leaves an unused artifact on the JobManager, as a rerun does).
    /// </remarks>
    private static async Task<string> SubmitAsync(RestClusterClient client, FileInfo app, RunArtifactRequest request, CancellationToken cancellation)
    {
        await using var zip = await ApplicationArchive.CreateAsync(app.DirectoryName!, cancellation).ConfigureAwait(false);
        var artifact = await client.UploadArtifactAsync(zip, Path.GetFileNameWithoutExtension(app.Name) + ".zip", cancellation).ConfigureAwait(false);
        return await RunAsync(client, artifact.Id, request, cancellation).ConfigureAwait(false);
    }

    private static async Task<string> RunAsync(RestClusterClient client, string artifactId, RunArtifactRequest request, CancellationToken cancellation)
    {
        for (var retry = 0; ; retry++)
        {
            try
            {
                return await client.RunArtifactAsync(artifactId, request, cancellation).ConfigureAwait(false);
            }
            catch (RestClientException e) when (e.StatusCode is null && retry < RunRetryDelays.Length)
            {
                var delay = RunRetryDelays[retry];
                Console.Error.WriteLine(
                    $"warning: {e.Message.TrimEnd('.')}; sending the run of job {request.JobId} again in {delay.TotalSeconds:0} s (retry {retry + 1} of {RunRetryDelays.Length}).");
                await Task.Delay(delay, cancellation).ConfigureAwait(false);
            }
            catch (RestClientException e) when (e.StatusCode is null)
            {
                throw new CommandFailedException(
                    $"{e.Message.TrimEnd('.')}; gave up after {RunRetryDelays.Length} retries. Job {request.JobId} may have started: 'rill info {request.JobId}' tells.", e);
            }
        }
    }

    private static async Task<int> WaitAsync(RestClusterClient client, string jobId, CancellationToken cancellation)
    {
        JobDetailsResponse job;
        try
        {
            job = Terminal.IsInteractive
                ? await Terminal.CreateStdout().Status().StartAsync($"Job {jobId}: submitted", status => PollAsync(client, jobId, s => status.Status(Markup.Escape(s)), cancellation))
                    .ConfigureAwait(false)
                : await PollAsync(client, jobId, _ => { }, cancellation).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // Ctrl+C ends the wait, not the job: the user may only have wanted the prompt back.
            Console.Error.WriteLine($"Stopped waiting for job {jobId}; it keeps running on the cluster ('rill cancel {jobId}' cancels it).");
            return ExitCodes.Failure;
        }
        catch (RestClientException e)
        {
            throw new CommandFailedException($"lost track of job {jobId} (it may still be running): {e.Message}", e);
        }

        Console.WriteLine($"Job {jobId} {job.State} in {Durations.Format(job.Duration)}");
        switch (job.State)
        {
            case JobStates.Finished:
                return ExitCodes.Success;
            case JobStates.Failed:
                var exceptions = await client.GetJobExceptionsAsync(jobId, cancellation).ConfigureAwait(false);
                throw new CommandFailedException($"job {jobId} failed: {RootCause.Describe(exceptions)}");
            default:
                throw new CommandFailedException($"job {jobId} was canceled.");
        }
    }

    private static async Task<JobDetailsResponse> PollAsync(RestClusterClient client, string jobId, Action<string> report, CancellationToken cancellation)
    {
        while (true)
        {
            var job = await client.GetJobAsync(jobId, cancellation).ConfigureAwait(false);
            if (JobStates.IsTerminal(job.State))
            {
                return job;
            }

            report($"Job {jobId}: {job.State} for {Durations.Format(job.Duration)}");
            await Task.Delay(PollInterval, cancellation).ConfigureAwait(false);
        }
    }
}
