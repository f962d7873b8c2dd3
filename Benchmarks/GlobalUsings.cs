// What nearly every scenario uses: the command line, timing, JSON over HTTP, and the shared harness.
global using System.CommandLine;
global using System.Diagnostics;
global using System.Net.Http.Json;
global using System.Text.Json;
global using Heck.Benchmarks.Commands;
global using Heck.Benchmarks.Measurement;
global using Heck.Harness;
