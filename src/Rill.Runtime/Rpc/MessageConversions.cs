using Rill.Metrics;
using Rill.Runtime.JobMaster;
using Rill.Runtime.Messages;
using Rill.Runtime.Rpc.Contracts;

namespace Rill.Runtime.Rpc;

/// <summary>Maps runtime records onto control-plane messages and back.</summary>
internal static class MessageConversions
{
    public static FailureMessage ToMessage(this Exception failure)
    {
        // The operator that failed is in the message already; the type users look for is the cause's.
        var cause = failure is Tasks.OperatorException { InnerException: { } inner } ? inner : failure;
        var typeName = cause is RemoteException remote ? remote.OriginalTypeName : cause.GetType().FullName ?? cause.GetType().Name;
        return new FailureMessage { TypeName = typeName, Message = failure.Message, Details = failure.ToString() };
    }

    public static RemoteException ToException(this FailureMessage message) => new(message.TypeName, message.Message, message.Details);

    public static TaskMetricsMessage ToMessage(this TaskIOMetricsSnapshot metrics) => new()
    {
        RecordsIn = metrics.RecordsIn,
        RecordsOut = metrics.RecordsOut,
        BuffersIn = metrics.BuffersIn,
        BuffersOut = metrics.BuffersOut,
        BytesIn = metrics.BytesIn,
        BytesOut = metrics.BytesOut,
        BusyTicks = metrics.BusyTime.Ticks,
        IdleTicks = metrics.IdleTime.Ticks,
        BackPressuredTicks = metrics.BackPressuredTime.Ticks,
        RemoteBytesIn = metrics.RemoteBytesIn,
    };

    public static TaskIOMetricsSnapshot ToSnapshot(this TaskMetricsMessage m) => new(
        m.RecordsIn, m.RecordsOut, m.BuffersIn, m.BuffersOut, m.BytesIn, m.BytesOut,
        TimeSpan.FromTicks(m.BusyTicks), TimeSpan.FromTicks(m.IdleTicks), TimeSpan.FromTicks(m.BackPressuredTicks), m.RemoteBytesIn);

    public static TaskExecutionStateMessage ToMessage(this TaskExecutionState state, Guid jobId) => new()
    {
        JobId = jobId,
        ExecutionAttemptId = state.ExecutionAttemptId,
        State = (int)state.State,
        Failure = state.Failure?.ToMessage(),
        Accumulators = state.Accumulators?.ToDictionary(),
        Metrics = state.Metrics?.ToMessage(),
    };

    public static TaskExecutionState ToState(this TaskExecutionStateMessage message) => new(
        message.ExecutionAttemptId,
        ToEnum<ExecutionState>(message.State),
        message.Failure?.ToException(),
        message.Accumulators,
        message.Metrics?.ToSnapshot());

    public static JobEndedMessage ToMessage(this JobResult result) => new()
    {
        JobId = result.JobId,
        Status = (int)result.Status,
        NetRuntimeMs = (long)result.NetRuntime.TotalMilliseconds,
        Accumulators = result.Accumulators.ToDictionary(),
        Failure = result.Failure?.ToMessage(),
    };

    public static JobResult ToResult(this JobEndedMessage message) => new(
        message.JobId,
        ToEnum<JobStatus>(message.Status),
        TimeSpan.FromMilliseconds(message.NetRuntimeMs),
        message.Accumulators ?? [],
        message.Failure?.ToException());

    public static ProgramMessage ToMessage(this ProgramReference program) => new()
    {
        ArtifactId = program.ArtifactId,
        EntryClass = program.EntryClass,
        Arguments = program.Arguments.ToList(),
        Parallelism = program.Parallelism ?? 0,
    };

    public static ProgramReference ToReference(this ProgramMessage message) =>
        new(message.ArtifactId, message.EntryClass, message.Arguments, message.Parallelism > 0 ? message.Parallelism : null);

    private static T ToEnum<T>(int value) where T : struct, Enum =>
        Enum.IsDefined(typeof(T), value) ? (T)(object)value : throw new InvalidDataException($"{value} is not a {typeof(T).Name}.");
}
