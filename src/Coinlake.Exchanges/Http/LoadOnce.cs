namespace Coinlake.Exchanges.Http;

/// <summary>
/// Loads a value once (e.g. an exchange's market table) and shares it between concurrent callers; a failed or
/// cancelled load is not cached, so the next call tries again.
/// </summary>
/// <typeparam name="T">The loaded value.</typeparam>
internal sealed class LoadOnce<T> : IDisposable
    where T : class
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private T? _value;

    /// <summary>The cached value, or the result of <paramref name="load"/> run by exactly one caller.</summary>
    public async Task<T> GetAsync(Func<CancellationToken, Task<T>> load, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _value) is { } cached)
        {
            return cached;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_value is null)
            {
                Volatile.Write(ref _value, await load(cancellationToken).ConfigureAwait(false));
            }

            return _value!;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _gate.Dispose();
}
