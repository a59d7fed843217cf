using Microsoft.Extensions.AI;

namespace ArdMl.Tests.Concepts;

/// <summary>
/// A real <see cref="IChatClient"/> that stands in for the network service: it answers each request with the next
/// scripted step (a reply, a thrown exception, or a reply that arrives too late) and records every request.
/// </summary>
internal sealed class ScriptedChatClient(params ScriptedChatClient.Step[] steps) : IChatClient
{
    private readonly Queue<Step> _steps = new(steps);

    public List<List<ChatMessage>> Requests { get; } = [];

    public async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Requests.Add([.. messages]);
        if (!_steps.TryDequeue(out var step))
        {
            throw new InvalidOperationException("The script has no more replies.");
        }

        if (step.Delay > TimeSpan.Zero)
        {
            await Task.Delay(step.Delay, cancellationToken);
        }

        if (step.Error is not null)
        {
            throw step.Error;
        }

        return new ChatResponse(new ChatMessage(ChatRole.Assistant, step.Reply));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    internal sealed record Step(string? Reply, Exception? Error = null, TimeSpan Delay = default)
    {
        public static Step Says(string reply) => new(reply);

        public static Step Fails(Exception error) => new(null, error);

        public static Step Slow(string reply, TimeSpan delay) => new(reply, null, delay);
    }
}
