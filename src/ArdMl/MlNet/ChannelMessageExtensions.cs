using Microsoft.ML.Runtime;

namespace ArdMl.MlNet;

/// <summary>
/// Plain-text messages on an ML.NET channel through its public interface (ML.NET's own one-argument shortcuts are
/// internal). Declared in ArdMl.MlNet so that <c>channel.Info(text)</c> in ArdMl.MlNet code binds here first.
/// </summary>
internal static class ChannelMessageExtensions
{
    /// <summary>Sends an informational message (shown by <c>MLContext.Log</c>).</summary>
    public static void Info(this IChannel channel, string message) => channel.Info(MessageSensitivity.Unknown, message);

    /// <summary>Sends a warning.</summary>
    public static void Warning(this IChannel channel, string message) => channel.Warning(MessageSensitivity.Unknown, message);

    /// <summary>Sends an error message (reporting only: it does not throw).</summary>
    public static void Error(this IChannel channel, string message) => channel.Error(MessageSensitivity.Unknown, message);

    /// <summary>Sends a trace message.</summary>
    public static void Trace(this IChannel channel, string message) => channel.Trace(MessageSensitivity.Unknown, message);
}
