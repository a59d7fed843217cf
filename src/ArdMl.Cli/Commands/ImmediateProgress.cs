namespace ArdMl.Cli.Commands;

/// <summary>An <see cref="IProgress{T}"/> that runs its handler on the reporting thread, in order (unlike <see cref="Progress{T}"/>).</summary>
internal sealed class ImmediateProgress<T>(Action<T> handler) : IProgress<T>
{
    public void Report(T value) => handler(value);
}
