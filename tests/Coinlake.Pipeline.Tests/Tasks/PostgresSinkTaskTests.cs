using Coinlake.Pipeline.Tasks;
using static Coinlake.Pipeline.Tests.Tasks.TaskFileTestSupport;

namespace Coinlake.Pipeline.Tests.Tasks;

/// <summary>The <c>postgres</c> sink format in task files: output is a connection string or env:NAME, not a path.</summary>
public sealed class PostgresSinkTaskTests
{
    [Fact]
    public void Parse_PostgresWithoutOutput_DefaultsToTheCoinlakePostgresVariable()
    {
        var sink = ParseOne(RestTask("format: postgres")).Sinks.ShouldHaveSingleItem();

        sink.ShouldBe(new SinkDefinition(SinkFormat.Postgres, "env:COINLAKE_POSTGRES"));
        sink.FormatName.ShouldBe("postgres");
    }

    [Theory]
    [InlineData("env:MY_PG")]
    [InlineData("postgres://coin:secret@db:5432/market")]
    [InlineData("Host=db;Database=market;Username=coin;Password=secret")]
    public void Parse_PostgresOutput_KeptAsWrittenNotResolvedAsAPath(string output)
    {
        var sink = ParseOne(RestTask("sinks:", $"  - {{ format: postgresql, output: '{output}', table: ohlcv_1m }}")).Sinks.ShouldHaveSingleItem();

        sink.ShouldBe(new SinkDefinition(SinkFormat.Postgres, output, "ohlcv_1m"));
        sink.ToString().ShouldNotContain("secret");
    }

    [Fact]
    public void Parse_PostgresOutputThatIsAPath_ErrorSaysWhatToWrite()
    {
        var error = SingleError(RestTask("format: postgres", "output: data/coinlake.db"));

        error.Message.ShouldContain("is not a PostgreSQL output");
        error.Message.ShouldContain("env:COINLAKE_POSTGRES");
    }

    [Fact]
    public void Parse_PostgresWithPathTemplate_Error() =>
        SingleError(RestTask("sinks:", "  - { format: postgres, path_template: x.parquet }")).Message.ShouldContain("a postgres sink writes to 'table'");

    [Fact]
    public void ToString_PostgresPassword_IsMasked() =>
        new SinkDefinition(SinkFormat.Postgres, "Host=db;Password=hunter2", "candles").ToString().ShouldBe("postgres Host=db;Password=*** (candles)");
}
