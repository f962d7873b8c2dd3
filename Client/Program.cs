using System.Runtime.InteropServices;
using Heck.Client.Cli;

// Ctrl-C (or SIGTERM) asks the running command to stop; a second Ctrl-C ends the process at once.
using var interrupt = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (interrupt.IsCancellationRequested) return;
    e.Cancel = true;
    interrupt.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    interrupt.Cancel();
});

return await HeckCli.RunAsync(args, Console.Out, Console.Error, interrupt.Token);
