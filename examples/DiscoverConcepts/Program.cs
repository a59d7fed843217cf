using ArdMl.Examples.DiscoverConcepts;

return DiscoverConceptsExample.Run(args, Console.Out);
