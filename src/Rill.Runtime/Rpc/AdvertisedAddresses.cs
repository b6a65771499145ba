using System.Net;

namespace Rill.Runtime.Rpc;

/// <summary>The address a process tells its peers to dial: the configured one, else its bind address (loopback for a wildcard bind).</summary>
internal static class AdvertisedAddresses
{
    public static IPAddress Resolve(IPAddress bindAddress, IPAddress? advertised) =>
        advertised ?? (bindAddress.Equals(IPAddress.Any) || bindAddress.Equals(IPAddress.IPv6Any) ? IPAddress.Loopback : bindAddress);
}
