package results

import (
	"fmt"
	"html/template"
	"io"
	"strings"
)

// page is the HTML league table: one file, inline CSS, an inline SVG chart,
// no script and nothing loaded from anywhere.
var page = template.Must(template.New("league").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1b1b; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
.asof { color: #555; margin-top: 0; }
ul.summary { padding-left: 1.2rem; }
table.league { border-collapse: collapse; width: 100%; font-size: .92rem; margin: 1rem 0; }
table.league th, table.league td { border-bottom: 1px solid #ddd; padding: .35rem .5rem; text-align: left; vertical-align: top; }
table.league th { background: #f2f2f2; }
table.league td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.late td.t { color: #a00; font-weight: 600; }
td.t { white-space: nowrap; }
.method { color: #444; font-size: .88rem; border-top: 1px solid #ccc; padding-top: .6rem; }
ol.questions li { margin-bottom: .2rem; }
figure { margin: 1rem 0; }
figcaption { font-size: .9rem; color: #444; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p class="asof">As of {{.At}}.</p>
<ul class="summary">{{range .Lines}}
<li>{{.}}</li>{{end}}
</ul>
<table class="league">
<thead><tr><th>Authority</th><th>Reference</th><th>Outcome</th><th>First reply (working days)</th><th>On time</th><th>Completed (working days)</th>{{range .Questions}}<th title="{{.Text}}">Q{{.Seq}}</th>{{end}}</tr></thead>
<tbody>
{{.Body}}</tbody>
</table>
{{if .Questions}}<h2>Questions</h2>
<ol class="questions">{{range .Questions}}
<li>{{.Text}}</li>{{end}}
</ol>{{end}}
<h2>How long the first substantive reply took</h2>
<figure>
{{.Chart}}
<figcaption>Requests by working days to the first substantive reply; "never" is past the due date with no answer.</figcaption>
</figure>
<p class="method">{{.Method}}</p>
</body>
</html>
`))

// WriteHTML writes the league table as one self-contained HTML page that a
// campaign can upload as it is: the summary, the table, the questions, a
// bar chart of the response times (inline SVG) and the method. It carries
// authorities, references, outcomes, day counts and coded answers only —
// no reply text, no sender, no officer's name from a reply — and no email
// address at all: any in a coded answer or a title is removed (public).
func WriteHTML(w io.Writer, t *Table) error {
	type question struct {
		Seq  int
		Text string
	}
	s := Summarise(t)
	lines := s.Lines()
	for i := range lines {
		lines[i] = public(lines[i])
	}
	var qs []question
	for _, q := range t.Questions {
		qs = append(qs, question{q.Seq, public(q.Text)})
	}
	return page.Execute(w, map[string]any{
		"Title": public(t.Title), "At": t.At.Format("2 January 2006"), "Lines": lines, "Questions": qs,
		"Body": tableBody(leagueRows(t)), "Chart": chart(s.Buckets), "Method": Method,
	})
}

// tableBody writes the table's rows, every cell escaped here (a table of
// 20,000 rows through the template's reflection took a quarter of an
// export's time).
func tableBody(rows []leagueRow) template.HTML {
	var b strings.Builder
	cell := func(class, s string) {
		b.WriteString("<td")
		if class != "" {
			b.WriteString(` class="` + class + `"`)
		}
		b.WriteString(">")
		template.HTMLEscape(&b, []byte(s))
		b.WriteString("</td>")
	}
	for _, r := range rows {
		if r.Late {
			b.WriteString(`<tr class="late">`)
		} else {
			b.WriteString("<tr>")
		}
		cell("", r.Authority)
		cell("", r.Ref)
		cell("", r.Outcome)
		cell("n", r.Reply)
		cell("t", r.Timeliness)
		cell("n", r.Complete)
		for _, a := range r.Answers {
			cell("", a)
		}
		b.WriteString("</tr>\n")
	}
	return template.HTML(b.String())
}

// chart draws the distribution as an SVG bar chart, written here from
// numbers only (so it is safe to put in the page as it is).
func chart(bars []Count) template.HTML {
	const (
		width, height = 640, 260
		left, bottom  = 40, 40
		top           = 20
	)
	maxN := 1
	for _, b := range bars {
		maxN = max(maxN, b.N)
	}
	slot := (width - left) / len(bars)
	plot := height - bottom - top
	svg := fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="Requests by working days to the first substantive reply">`, width, height, width, height)
	svg += fmt.Sprintf(`<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#888"/>`, left, height-bottom, width, height-bottom)
	for i, b := range bars {
		h := b.N * plot / maxN
		x := left + i*slot + slot/6
		colour := "#2b6cb0"
		if b.Label == "never" {
			colour = "#b83232"
		}
		svg += fmt.Sprintf(`<rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>`, x, height-bottom-h, slot*2/3, h, colour)
		svg += fmt.Sprintf(`<text x="%d" y="%d" text-anchor="middle" font-size="13" fill="#1b1b1b">%d</text>`, x+slot/3, height-bottom-h-5, b.N)
		svg += fmt.Sprintf(`<text x="%d" y="%d" text-anchor="middle" font-size="13" fill="#444">%s</text>`, x+slot/3, height-bottom+18, template.HTMLEscapeString(b.Label))
	}
	svg += fmt.Sprintf(`<text x="%d" y="%d" text-anchor="end" font-size="12" fill="#444">working days to the first substantive reply</text>`, width, height-2)
	return template.HTML(svg + `</svg>`)
}
