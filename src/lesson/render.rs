//! Lesson Markdown as HTML the page can show. Lessons a teacher drops in are untrusted,
//! so raw HTML never passes: it is shown as text, images show their alternative text,
//! and links keep only `http:`, `https:`, `mailto:` and in-page addresses.

use pulldown_cmark::{html, CowStr, Event, Parser, Tag, TagEnd};

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

/// Renders lesson Markdown to HTML with raw HTML and unsafe links disarmed.
pub fn to_html(markdown: &str) -> String {
    // An image's start and end are dropped; the text between them (its alternative
    // text) stays, as text.
    let events = Parser::new_ext(markdown, options()).filter_map(|e| match e {
        Event::Html(t) | Event::InlineHtml(t) => Some(Event::Text(t)),
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) if !safe_url(&dest_url) => Some(Event::Start(Tag::Link {
            link_type,
            dest_url: CowStr::Borrowed("#"),
            title,
            id,
        })),
        other => Some(other),
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
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
        assert!(h.contains("<table>"), "{h}");
    }
}
