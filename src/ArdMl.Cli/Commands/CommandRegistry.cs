using System.CommandLine;

namespace ArdMl.Cli.Commands;

/// <summary>Every subcommand of <c>ard</c>; one line each.</summary>
internal static class CommandRegistry
{
    public static IEnumerable<Command> All()
    {
        yield return DecodeCommand.Create();
        yield return ExtractCommand.Create();
        yield return TrainCommand.Create();
        yield return EncodeCommand.Create();
        yield return RankCommand.Create();
        yield return DiscoverCommand.Create();
        yield return SweepCommand.Create();
        yield return ApplyCommand.Create();
        yield return EvalCommand.Create();
        yield return SteerCommand.Create();
        yield return DemoCommand.Create();
        yield return ReportCommand.Create();
    }
}
