using System.Net;
using System.Net.Sockets;

namespace Contact.Core.Infrastructure;

/// <summary>Who a request counts against for rate limits: its client address, an IPv6 client by its /64.</summary>
public static class ClientAddress
{
    /// <summary>
    /// The IPv4 address, or the /64 network of an IPv6 address (one home or phone usually holds a whole /64, so
    /// counting single IPv6 addresses would let one client take a new address for every request).
    /// </summary>
    public static string PartitionKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
