namespace Heck.Health;

/// <summary>The derived status of an origin. Serialised in lower case on the API.</summary>
public enum HealthStatus
{
    Unknown = 0,
    Healthy = 1,
    Degraded = 2,
    Unhealthy = 3,
}
