using System.Globalization;
using Grpc.Core;
using ProtoBuf.Grpc;

namespace Rill.Runtime.Rpc;

/// <summary>
/// Every control-plane call carries the fencing token of the JobManager leadership term it belongs to. Receivers
/// refuse calls of any other term, so a leader that was paused and replaced can no longer command TaskManagers, and
/// TaskManagers of an old term cannot confuse a new leader.
/// </summary>
public static class FencingTokens
{
    public const string Header = "rill-fencing-token";

    /// <param name="timeout">The call's deadline; null for a call that lives until canceled (a connection stream).</param>
    public static CallContext Outgoing(long token, TimeSpan? timeout, CancellationToken cancellation = default) =>
        new(new CallOptions(new Metadata { { Header, token.ToString(CultureInfo.InvariantCulture) } }, DateTime.UtcNow + timeout, cancellation));

    /// <summary>Throws PERMISSION_DENIED unless the call carries <paramref name="expected"/>.</summary>
    public static void Check(CallContext context, long? expected, string receiver)
    {
        var text = context.ServerCallContext?.RequestHeaders.GetValue(Header);
        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var given))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"The call to {receiver} carries no fencing token."));
        }

        if (expected != given)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"Fencing token {given} refused by {receiver}: the current JobManager leadership term is {(expected is { } e ? e.ToString(CultureInfo.InvariantCulture) : "unknown")}."));
        }
    }
}
