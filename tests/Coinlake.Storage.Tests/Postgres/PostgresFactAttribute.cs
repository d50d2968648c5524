using Coinlake.Testing.Postgres;

namespace Coinlake.Storage.Tests.Postgres;

/// <summary>A fact that needs a real PostgreSQL (<see cref="TestPostgres"/>); skipped with its reason when none is available.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> to <see cref="TestPostgres.SkipReason"/>.</summary>
    public PostgresFactAttribute() => Skip = TestPostgres.SkipReason!;
}
