using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace ArdMl.Activations;

/// <summary>
/// Maps a sequence through a function on worker threads, each owning one context (an ONNX Runtime session, say),
/// and yields the results in input order. At most <c>capacity</c> items are taken from the input ahead of the consumer,
/// so memory is bounded by that window, not by the length of the sequence. An exception thrown for an item surfaces
/// at that item's place in the output; stopping the enumeration early stops the workers.
/// </summary>
/// <typeparam name="TContext">What a worker owns; one context is never used by two threads at once.</typeparam>
internal sealed class OrderedWorkers<TContext>
{
    private readonly IReadOnlyList<TContext> _contexts;
    private readonly int _capacity;

    /// <summary>Creates workers, one per context.</summary>
    /// <param name="contexts">One context per worker; with one, items are mapped inline on the consumer's thread.</param>
    /// <param name="capacity">Items in flight (taken but not yet consumed) at most; at least the number of workers.</param>
    public OrderedWorkers(IReadOnlyList<TContext> contexts, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfZero(contexts.Count);
        _contexts = contexts;
        _capacity = Math.Max(capacity, contexts.Count);
    }

    /// <summary>Number of workers.</summary>
    public int Count => _contexts.Count;

    /// <summary>Maps <paramref name="items"/> through <paramref name="work"/>; results come in input order.</summary>
    public IEnumerable<TOut> Map<TIn, TOut>(IEnumerable<TIn> items, Func<TContext, TIn, TOut> work) =>
        _contexts.Count == 1 ? items.Select(item => work(_contexts[0], item)) : MapInParallel(items, work);

    private static Thread Start(string name, Action body)
    {
        var thread = new Thread(() => body()) { IsBackground = true, Name = name };
        thread.Start();
        return thread;
    }

    private IEnumerable<TOut> MapInParallel<TIn, TOut>(IEnumerable<TIn> items, Func<TContext, TIn, TOut> work)
    {
        using var stop = new CancellationTokenSource();
        using var window = new SemaphoreSlim(_capacity);
        using var queue = new BlockingCollection<(long Index, TIn Item)>();
        var results = new Dictionary<long, (TOut? Value, ExceptionDispatchInfo? Error)>();
        var gate = new object();
        var taken = -1L;
        ExceptionDispatchInfo? inputError = null;

        var producer = Start("ard extraction input", () =>
        {
            var index = 0L;
            try
            {
                foreach (var item in items)
                {
                    window.Wait(stop.Token);
                    queue.Add((index, item), stop.Token);
                    index++;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                inputError = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                queue.CompleteAdding();
                lock (gate)
                {
                    taken = index;
                    Monitor.PulseAll(gate);
                }
            }
        });

        var workers = _contexts.Select((context, w) => Start($"ard extraction worker {w}", () =>
        {
            try
            {
                foreach (var (index, item) in queue.GetConsumingEnumerable(stop.Token))
                {
                    (TOut? Value, ExceptionDispatchInfo? Error) result;
                    try
                    {
                        result = (work(context, item), null);
                    }
                    catch (Exception e)
                    {
                        result = (default, ExceptionDispatchInfo.Capture(e));
                    }

                    lock (gate)
                    {
                        results[index] = result;
                        Monitor.PulseAll(gate);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        })).ToList();
        try
        {
            for (var next = 0L; ; next++)
            {
                (TOut? Value, ExceptionDispatchInfo? Error) result;
                var ended = false;
                lock (gate)
                {
                    while (!results.Remove(next, out result))
                    {
                        if (taken >= 0 && next >= taken)
                        {
                            ended = true;
                            break;
                        }

                        Monitor.Wait(gate);
                    }
                }

                if (ended)
                {
                    inputError?.Throw();
                    yield break;
                }

                result.Error?.Throw();
                window.Release();
                yield return result.Value!;
            }
        }
        finally
        {
            stop.Cancel();
            producer.Join();
            workers.ForEach(worker => worker.Join());
            foreach (var (value, _) in results.Values)
            {
                (value as IDisposable)?.Dispose();
            }
        }
    }
}
