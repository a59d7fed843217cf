using ArdMl.Examples.SteerConcept;

return SteerConceptExample.Run(args, Console.Out);
