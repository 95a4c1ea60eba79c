using System.Text;

namespace Hull.Cli.Output;

/// <summary>
/// Column alignment the way Go's text/tabwriter lays out rows whose cells are all tab-terminated
/// except the last: each column is as wide as its widest cell plus the padding, and at least
/// the minimum width; the last cell is written as it is. runc's `list` (min 12, padding 3) and
/// urfave/cli's help (min 1, padding 2) both print through it, so hull uses it for both.
/// </summary>
internal static class TabTable
{
    public static string Render(IReadOnlyList<IReadOnlyList<string>> rows, int minWidth, int padding, string indent = "")
    {
        var columns = rows.Count == 0 ? 0 : rows.Max(r => r.Count) - 1;
        var widths = new int[Math.Max(columns, 0)];
        for (var c = 0; c < widths.Length; c++)
        {
            var width = minWidth;
            foreach (var row in rows)
                if (c < row.Count - 1)
                    width = Math.Max(width, CellWidth(row[c]) + padding);
            widths[c] = width;
        }

        var sb = new StringBuilder();
        foreach (var row in rows)
        {
            sb.Append(indent);
            for (var c = 0; c < row.Count; c++)
            {
                sb.Append(row[c]);
                if (c < row.Count - 1)
                    sb.Append(' ', widths[c] - CellWidth(row[c]));
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    // tabwriter measures cells in runes, not UTF-16 units.
    private static int CellWidth(string cell)
    {
        var width = 0;
        foreach (var _ in cell.EnumerateRunes())
            width++;
        return width;
    }
}
