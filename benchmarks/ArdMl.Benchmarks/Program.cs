using ArdMl.Benchmarks.Commands;

return await BenchCommand.Root().Parse(args).InvokeAsync();
