using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace ArdMl.Cli.Commands;

/// <summary>
/// Progress of a command's stages: live bars on a terminal; when stdout is piped or redirected, occasional full lines
/// instead (a line when a stage starts, at each tenth of it at most every two seconds, and when it ends), so that logs
/// and pipes see progress rather than carriage returns.
/// </summary>
internal static class ProgressDisplay
{
    /// <summary>Whether stdout is a terminal that can redraw bars.</summary>
    public static bool IsInteractive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="work"/> with one progress line or bar per title of <paramref name="titles"/>.</summary>
    public static void Run(IReadOnlyList<string> titles, Action<StageProgress> work)
    {
        if (!IsInteractive)
        {
            var lines = new StageProgress(titles, null);
            work(lines);
            lines.Complete();
            return;
        }

        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var bars = new StageProgress(titles, [.. titles.Select(t => context.AddTask(Markup.Escape(t), autoStart: false))]);
                work(bars);
                bars.Complete();
            });
    }
}

/// <summary>The stages of one <see cref="ProgressDisplay.Run"/>; <see cref="Report"/> may be called from any thread.</summary>
internal sealed class StageProgress
{
    private static readonly TimeSpan LineInterval = TimeSpan.FromSeconds(2);
    private readonly IReadOnlyList<string> _titles;
    private readonly ProgressTask[]? _bars;
    private readonly bool[] _finished;
    private readonly Stopwatch _sinceLine = Stopwatch.StartNew();
    private readonly Lock _lock = new();
    private int _lineStage = -1;
    private int _lineTenth = -1;

    internal StageProgress(IReadOnlyList<string> titles, ProgressTask[]? bars)
    {
        _titles = titles;
        _bars = bars;
        _finished = new bool[titles.Count];
    }

    /// <summary>Stage <paramref name="stage"/> has done <paramref name="done"/> of <paramref name="total"/>; earlier stages are finished.</summary>
    public void Report(int stage, double done, double total, string? detail = null)
    {
        lock (_lock)
        {
            for (var earlier = 0; earlier < stage; earlier++)
            {
                Finish(earlier);
            }

            total = Math.Max(1, total);
            if (_bars is { } bars)
            {
                var bar = bars[stage];
                bar.StartTask();
                bar.MaxValue = total;
                bar.Value = done;
                bar.Description = Markup.Escape(string.IsNullOrEmpty(detail) ? _titles[stage] : $"{_titles[stage]}: {detail}");
                return;
            }

            var tenth = (int)Math.Floor(10 * Math.Clamp(done / total, 0, 1));
            if (stage != _lineStage || (tenth > _lineTenth && (_sinceLine.Elapsed >= LineInterval || tenth == 10)))
            {
                _lineStage = stage;
                _lineTenth = tenth;
                Line(stage, done, total, detail);
            }
        }
    }

    /// <summary>Marks every stage finished.</summary>
    public void Complete()
    {
        lock (_lock)
        {
            for (var stage = 0; stage < _titles.Count; stage++)
            {
                Finish(stage);
            }
        }
    }

    private void Finish(int stage)
    {
        if (_finished[stage])
        {
            return;
        }

        _finished[stage] = true;
        if (_bars is { } bars)
        {
            bars[stage].StartTask();
            bars[stage].Value = bars[stage].MaxValue;
            bars[stage].StopTask();
        }
        else if (_lineStage == stage && _lineTenth < 10)
        {
            Console.Out.WriteLine($"{_titles[stage]}: done");
            Console.Out.Flush();
        }
    }

    private void Line(int stage, double done, double total, string? detail)
    {
        _sinceLine.Restart();
        var counts = string.Create(CultureInfo.InvariantCulture, $"{done:0.##}/{total:0.##} ({100 * done / total:F0}%)");
        Console.Out.WriteLine(string.IsNullOrEmpty(detail) ? $"{_titles[stage]}: {counts}" : $"{_titles[stage]}: {counts}, {detail}");
        Console.Out.Flush();
    }
}
