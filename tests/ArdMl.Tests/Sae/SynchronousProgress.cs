namespace ArdMl.Tests.Sae;

/// <summary>IProgress that reports on the calling thread (Progress&lt;T&gt; posts asynchronously).</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
