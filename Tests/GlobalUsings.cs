global using Heck.Benchmarks.Harness;
