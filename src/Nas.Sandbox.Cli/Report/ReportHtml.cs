using System.Globalization;
using System.Net;
using System.Text;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Cli.Report;

/// <summary>One chart of the report: a heading and its PNG.</summary>
internal sealed record ReportChart(string Title, byte[] Png);

/// <summary>
/// The report as one self-contained HTML page: charts as base64 PNG data URIs, tables and text escaped, no external
/// resource. A small script titles the page "ok N" once all N charts have decoded (naturalWidth &gt; 0), "broken K/N"
/// otherwise, so a headless browser can tell that the page rendered whole.
/// </summary>
internal static class ReportHtml
{
    public static string Render(
        string title,
        IReadOnlyList<ReportChart> charts,
        IReadOnlyList<IReadOnlyList<string>> standings,
        (IReadOnlyList<IReadOnlyList<string>> Anytime, IReadOnlyList<IReadOnlyList<string>> Tests)? statistics,
        IReadOnlyList<(string Contestant, string Architecture, IReadOnlyList<string> Diagram)> cells,
        JObject settings,
        string? notice = null,
        string winnersTitle = "Winning cells"
    )
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<title>")
            .Append(E(title))
            .Append("</title>\n<style>")
            .Append("body{font-family:sans-serif;max-width:960px;margin:auto;padding:1em}")
            .Append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}")
            .Append(
                "td:last-child{word-break:break-all}pre{background:#f6f6f6;padding:6px;overflow-x:auto}img{max-width:100%}"
            )
            .Append("</style></head><body>\n");
        html.Append("<h1>").Append(E(title)).Append("</h1>\n");
        if (notice is not null)
            html.Append("<p class=\"notice\"><strong>").Append(E(notice)).Append("</strong></p>\n");
        html.Append("<h2>Standings</h2>\n").Append(Table(standings));
        if (statistics is { } s)
        {
            html.Append("<h2>Anytime standings</h2>\n<p>")
                .Append(
                    "Mean ± std over heats at 25, 50 and 100 % of the budget; test = held-out accuracy of the best "
                )
                .Append("by validation.</p>\n")
                .Append(Table(s.Anytime));
            html.Append("<h2>Paired tests</h2>\n<p>")
                .Append("Two-sided Wilcoxon signed-rank tests over heats of the test accuracy of the best at the end ")
                .Append("of the budget.</p>\n")
                .Append(Table(s.Tests));
        }
        foreach (var chart in charts)
            html.Append("<h2>")
                .Append(E(chart.Title))
                .Append("</h2>\n<img alt=\"")
                .Append(E(chart.Title))
                .Append("\" src=\"data:image/png;base64,")
                .Append(Convert.ToBase64String(chart.Png))
                .Append("\">\n");
        if (cells.Count > 0)
        {
            html.Append("<h2>").Append(E(winnersTitle)).Append("</h2>\n");
            foreach (var (contestant, architecture, diagram) in cells)
                html.Append("<h3>")
                    .Append(E(contestant))
                    .Append("</h3>\n<p><code>")
                    .Append(E(architecture))
                    .Append("</code></p>\n<pre>")
                    .Append(E(string.Join('\n', diagram)))
                    .Append("</pre>\n");
        }
        html.Append("<h2>Settings</h2>\n")
            .Append(
                Table([
                    ["setting", "value"],
                    .. settings
                        .Properties()
                        .Select(p =>
                            (IReadOnlyList<string>)
                                [
                                    p.Name,
                                    p.Value.Type == JTokenType.Null
                                        ? "-"
                                        : p.Value.ToString(Newtonsoft.Json.Formatting.None),
                                ]
                        ),
                ])
            );
        html.Append(
            "<script>window.addEventListener('load',function(){var i=Array.from(document.images);"
                + "var n=i.filter(function(m){return m.complete&&m.naturalWidth>0;}).length;"
                + "document.title=(n===i.length?'ok ':'broken '+n+'/')+i.length;});</script>\n"
        );
        html.Append("</body></html>\n");
        return html.ToString();
    }

    /// <summary>A table whose first row is the header.</summary>
    private static string Table(IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var table = new StringBuilder("<table>\n");
        for (int r = 0; r < rows.Count; r++)
        {
            string cell = r == 0 ? "th" : "td";
            table.Append("<tr>");
            foreach (string value in rows[r])
                table.Append(CultureInfo.InvariantCulture, $"<{cell}>{E(value)}</{cell}>");
            table.Append("</tr>\n");
        }
        return table.Append("</table>\n").ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
