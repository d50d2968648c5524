namespace Coinlake.Pipeline.Tasks;

/// <summary>One problem found in a task file.</summary>
/// <param name="Location">Where: file, 1-based line and column of the offending key or value.</param>
/// <param name="Message">What is wrong and how to fix it, e.g. <c>unknown key 'symbl'; did you mean 'symbol'?</c>.</param>
public sealed record TaskFileError(SourceLocation Location, string Message)
{
    /// <summary><c>file:line:column: message</c>.</summary>
    public override string ToString() => $"{Location}: {Message}";
}

/// <summary>
/// A task file (or a task selection) is invalid. <see cref="Errors"/> holds every problem found, in file order;
/// <see cref="Exception.Message"/> lists them one per line as <c>file:line:column: message</c>.
/// </summary>
public sealed class TaskFileException : Exception
{
    /// <summary>Creates the exception from at least one error.</summary>
    /// <exception cref="ArgumentException"><paramref name="errors"/> is empty.</exception>
    public TaskFileException(IReadOnlyList<TaskFileError> errors)
        : base(Format(errors))
    {
        Errors = errors;
    }

    /// <summary>Creates the exception with one error.</summary>
    public TaskFileException(TaskFileError error)
        : this([error])
    {
    }

    /// <summary>Creates the exception with one error and the exception that caused it (e.g. an I/O error).</summary>
    public TaskFileException(TaskFileError error, Exception inner)
        : base(Format([error]), inner)
    {
        Errors = [error];
    }

    /// <summary>Every problem found, in file order (line, then column).</summary>
    public IReadOnlyList<TaskFileError> Errors { get; }

    private static string Format(IReadOnlyList<TaskFileError> errors)
    {
        if (errors.Count == 0)
        {
            throw new ArgumentException("A TaskFileException needs at least one error.", nameof(errors));
        }

        return string.Join('\n', errors.Select(e => e.ToString()));
    }
}
