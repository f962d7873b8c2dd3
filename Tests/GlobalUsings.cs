global using Heck.Harness;
