using ArdMl.BuildTools.Elf;
using ArdMl.BuildTools.Verbs;

IBuildToolVerb[] verbs = [new WeakenVersionNeedVerb(), new PublicizeVerb()];

var verb = args.Length == 0 ? null : verbs.FirstOrDefault(v => v.Name == args[0]);
if (verb is null)
{
    Console.Error.WriteLine("Usage: ArdMl.BuildTools <verb> [arguments]. Verbs:");
    foreach (var known in verbs)
    {
        Console.Error.WriteLine($"  {known.Usage}");
    }

    return 2;
}

try
{
    return verb.Run(args[1..], Console.Out);
}
catch (Exception exception) when (exception is ArgumentException or ElfFormatException or IOException or UnauthorizedAccessException)
{
    // MSBuild's Exec task turns the "error :" prefix into a build error naming the tool.
    Console.Error.WriteLine($"ArdMl.BuildTools {verb.Name}: error : {exception.Message}");
    return 1;
}
