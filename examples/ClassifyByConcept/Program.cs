using ArdMl.Examples.ClassifyByConcept;

return ClassifyByConceptExample.Run(args, Console.Out);
