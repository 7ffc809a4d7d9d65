using CsvHelper;

namespace Nas.Sandbox.Core;

/// <summary>One CSV record as read: the line of the file it starts on (1-based, counting every line) and its fields.</summary>
public sealed record CsvRecord(int Line, string[] Fields);

/// <summary>
/// Every CSV the project reads or writes goes through here, so there is one definition of the format: RFC 4180 both
/// ways, by CsvHelper. Fields are separated by commas; a field holding a comma, a quote, CR or LF is quoted, with inner
/// quotes doubled, so it may span lines. Records end with "\n" (RFC 4180 says CRLF; every reader, CsvHelper's
/// included, takes both, and the project's files have always used "\n"). Reading: empty lines are skipped, fields are
/// not trimmed (the callers decide), records may have any number of fields (the callers check against their header),
/// and malformed quoting is an error naming the file and the line. No spreadsheet-formula escaping: values are written
/// as they are.
/// </summary>
public static class CsvFormat
{
    private static readonly CsvReaderOptions ReaderOptions = new()
    {
        Separator = ',',
        HasHeader = false,
        TrackLineNumbers = true,
        SkipEmptyLines = true,
        MalformedData = CsvMalformedDataHandling.Recover,
        FieldCountMismatch = CsvFieldCountHandling.Allow,
        // Recovering, then throwing from here: the reason and line are known, and the message is ours.
        OnMalformedRecord = record => throw new CsvMalformed(record.Reason, record.LineNumber),
    };

    private static readonly CsvWriterOptions WriterOptions = new()
    {
        Separator = ',',
        NewLine = "\n",
        Quoting = CsvQuoting.WhenNeeded,
        Injection = CsvInjection.None,
        ValidateFieldCount = false,
    };

    /// <summary>The records of the file at <paramref name="path"/>, read as they are enumerated (the file stays open until then).</summary>
    public static IEnumerable<CsvRecord> ReadFile(string path)
    {
        CsvReader reader;
        try
        {
            reader = CsvReader.FromFile(path, ReaderOptions);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NasException($"cannot read {path}: {e.Message}", e);
        }
        return Records(reader, path);
    }

    /// <summary>The records of CSV <paramref name="text"/>; <paramref name="where"/> names it in errors (a file's path).</summary>
    public static IEnumerable<CsvRecord> ReadText(string text, string where) =>
        Records(CsvReader.FromText(text, ReaderOptions), where);

    /// <summary>The fields of one record written by <see cref="Line"/> (or the first record of <paramref name="text"/>).</summary>
    public static string[] ParseLine(string text) => ReadText(text, "CSV record").FirstOrDefault()?.Fields ?? [""];

    private static IEnumerable<CsvRecord> Records(CsvReader reader, string where)
    {
        using (reader)
        {
            while (true)
            {
                bool more;
                try
                {
                    more = reader.Read();
                }
                catch (CsvMalformed m)
                {
                    throw new NasException($"{where}:{m.Line}: {Describe(m.Reason)}.");
                }
                catch (CsvFormatException e)
                {
                    throw new NasException(
                        $"{where}:{(e.LineNumber > 0 ? e.LineNumber : reader.LineNumber)}: not valid CSV: {e.Message}"
                    );
                }
                catch (IOException e)
                {
                    throw new NasException($"cannot read {where}: {e.Message}", e);
                }
                if (!more)
                    yield break;
                var fields = new string[reader.FieldCount];
                for (int i = 0; i < fields.Length; i++)
                    fields[i] = reader.GetString(i);
                yield return new CsvRecord((int)reader.LineNumber, fields);
            }
        }
    }

    private static string Describe(CsvMalformedReason reason) =>
        reason switch
        {
            CsvMalformedReason.UnterminatedQuote => "a quoted field is not closed",
            CsvMalformedReason.StrayQuote =>
                "a quote inside an unquoted field (quote the whole field, and double the quotes in it)",
            CsvMalformedReason.TextAfterClosingQuote => "text after the closing quote of a field",
            _ => $"malformed CSV ({reason})",
        };

    /// <summary>One record, without its line ending.</summary>
    public static string Line(IEnumerable<string> fields)
    {
        var text = new StringWriter();
        using (var writer = CsvWriter.Create(text, WriterOptions, leaveOpen: true))
            Write(writer, fields);
        return text.ToString().TrimEnd('\n');
    }

    /// <summary>A whole file: <paramref name="header"/> (when given) and <paramref name="rows"/>, each ending with "\n".</summary>
    public static string Text(IEnumerable<string>? header, IEnumerable<IEnumerable<string>> rows)
    {
        var text = new StringWriter();
        Write(text, header, rows);
        return text.ToString();
    }

    /// <summary>Writes <paramref name="header"/> (when given) and <paramref name="rows"/> to <paramref name="destination"/> (left open).</summary>
    public static void Write(TextWriter destination, IEnumerable<string>? header, IEnumerable<IEnumerable<string>> rows)
    {
        using var writer = CsvWriter.Create(destination, WriterOptions, leaveOpen: true);
        if (header is not null)
            Write(writer, header);
        foreach (var row in rows)
            Write(writer, row);
    }

    private static void Write(CsvWriter writer, IEnumerable<string> fields)
    {
        foreach (string field in fields)
            writer.WriteField(field);
        writer.EndRecord();
    }

    /// <summary>Malformed quoting, thrown from the reader's callback with what it knows.</summary>
    private sealed class CsvMalformed(CsvMalformedReason reason, long line) : Exception(reason.ToString())
    {
        public CsvMalformedReason Reason { get; } = reason;
        public long Line { get; } = line;
    }
}
