//! Lesson Markdown as HTML the page can show. Lessons a teacher drops in are untrusted,
//! so only known tags are written: raw HTML is shown as text, images show their
//! alternative text, and links keep only `http:`, `https:`, `mailto:` and in-page
//! addresses. (Writing the few tags here, rather than using pulldown-cmark's HTML
//! writer, keeps the renderer a whitelist and the bundle smaller.)

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Parser, Tag, TagEnd};

use super::markdown::options;

/// Whether a link target is safe to follow from a lesson.
fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    match lower.split_once(':') {
        // A colon after a slash, `?` or `#` is inside a relative address, not a scheme.
        Some((scheme, _)) if !scheme.contains(['/', '?', '#']) => {
            matches!(scheme, "http" | "https" | "mailto")
        }
        _ => true,
    }
}

/// Appends `text` with HTML's special characters escaped.
fn escape(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

fn heading(level: HeadingLevel) -> &'static str {
    match level {
        HeadingLevel::H1 => "h1",
        HeadingLevel::H2 => "h2",
        HeadingLevel::H3 => "h3",
        HeadingLevel::H4 => "h4",
        HeadingLevel::H5 => "h5",
        HeadingLevel::H6 => "h6",
    }
}

/// Renders lesson Markdown to HTML made only of known tags.
pub fn to_html(markdown: &str) -> String {
    let mut out = String::new();
    // Table cells are `th` in the head row, `td` after it.
    let mut in_head = false;
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Start(tag) => match tag {
                Tag::Paragraph => out.push_str("<p>"),
                Tag::Heading { level, .. } => {
                    out.push('<');
                    out.push_str(heading(level));
                    out.push('>');
                }
                Tag::BlockQuote(_) => out.push_str("<blockquote>"),
                Tag::CodeBlock(kind) => {
                    out.push_str("<pre><code");
                    if let CodeBlockKind::Fenced(info) = kind {
                        if let Some(lang) = info.split_whitespace().next() {
                            out.push_str(" class=\"language-");
                            escape(&mut out, lang);
                            out.push('"');
                        }
                    }
                    out.push('>');
                }
                Tag::List(Some(1)) => out.push_str("<ol>"),
                Tag::List(Some(n)) => out.push_str(&format!("<ol start=\"{n}\">")),
                Tag::List(None) => out.push_str("<ul>"),
                Tag::Item => out.push_str("<li>"),
                Tag::Table(_) => out.push_str("<table>"),
                Tag::TableHead => {
                    in_head = true;
                    out.push_str("<thead><tr>");
                }
                Tag::TableRow => out.push_str("<tr>"),
                Tag::TableCell => out.push_str(if in_head { "<th>" } else { "<td>" }),
                Tag::Emphasis => out.push_str("<em>"),
                Tag::Strong => out.push_str("<strong>"),
                Tag::Strikethrough => out.push_str("<del>"),
                Tag::Link { dest_url, .. } => {
                    out.push_str("<a href=\"");
                    escape(&mut out, if safe_url(&dest_url) { &dest_url } else { "#" });
                    out.push_str("\" rel=\"noopener noreferrer\">");
                }
                // An image shows its alternative text (the text events inside it).
                _ => {}
            },
            Event::End(tag) => match tag {
                TagEnd::Paragraph => out.push_str("</p>\n"),
                TagEnd::Heading(level) => {
                    out.push_str("</");
                    out.push_str(heading(level));
                    out.push_str(">\n");
                }
                TagEnd::BlockQuote(_) => out.push_str("</blockquote>\n"),
                TagEnd::CodeBlock => out.push_str("</code></pre>\n"),
                TagEnd::List(true) => out.push_str("</ol>\n"),
                TagEnd::List(false) => out.push_str("</ul>\n"),
                TagEnd::Item => out.push_str("</li>\n"),
                TagEnd::Table => out.push_str("</tbody></table>\n"),
                TagEnd::TableHead => {
                    in_head = false;
                    out.push_str("</tr></thead><tbody>");
                }
                TagEnd::TableRow => out.push_str("</tr>"),
                TagEnd::TableCell => out.push_str(if in_head { "</th>" } else { "</td>" }),
                TagEnd::Emphasis => out.push_str("</em>"),
                TagEnd::Strong => out.push_str("</strong>"),
                TagEnd::Strikethrough => out.push_str("</del>"),
                TagEnd::Link => out.push_str("</a>"),
                _ => {}
            },
            // Raw HTML is text like any other.
            Event::Text(t) | Event::Html(t) | Event::InlineHtml(t) => escape(&mut out, &t),
            Event::Code(t) => {
                out.push_str("<code>");
                escape(&mut out, &t);
                out.push_str("</code>");
            }
            Event::SoftBreak => out.push('\n'),
            Event::HardBreak => out.push_str("<br>"),
            Event::Rule => out.push_str("<hr>"),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_shown_as_text() {
        let h = to_html("Hello <script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n");
        assert!(!h.contains("<script"), "{h}");
        assert!(!h.contains("<img"), "{h}");
        assert!(h.contains("&lt;script&gt;"), "{h}");
        assert!(h.contains("&lt;img src=x onerror=alert(1)&gt;"), "{h}");
    }

    #[test]
    fn images_show_their_alternative_text_only() {
        let h = to_html("![the WAL](https://example.invalid/x.png)");
        assert!(!h.contains("<img"), "{h}");
        assert!(h.contains("the WAL"), "{h}");
    }

    #[test]
    fn script_links_are_disarmed_and_web_links_kept() {
        let h = to_html("[a](javascript:alert(1)) [b](JavaScript:x) [c](https://www.postgresql.org/docs/15/) [d](#step-2)");
        assert!(!h.to_ascii_lowercase().contains("javascript"), "{h}");
        assert!(
            h.contains("href=\"https://www.postgresql.org/docs/15/\""),
            "{h}"
        );
        assert!(h.contains("href=\"#step-2\""), "{h}");
    }

    #[test]
    fn markdown_renders() {
        let h = to_html("Run `pg_basebackup` **now**:\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
        assert!(h.contains("<code>pg_basebackup</code>"), "{h}");
        assert!(h.contains("<strong>now</strong>"), "{h}");
        assert!(h.contains("<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table>"), "{h}");
    }
}
