use switchboard_types::HookMethod;

use crate::*;

const XML: Option<&str> = Some("text/xml");

fn parse(xml: &str) -> MessagingResponse {
    parse_messaging(xml.as_bytes(), XML).unwrap_or_else(|error| panic!("{xml}: {error}"))
}

fn parse_err(xml: &str) -> TwimlError {
    match parse_messaging(xml.as_bytes(), XML) {
        Ok(response) => panic!("{xml} parsed: {response:?}"),
        Err(error) => error,
    }
}

fn messages(response: &MessagingResponse) -> Vec<&MessageVerb> {
    response
        .verbs
        .iter()
        .filter_map(|verb| match verb {
            MessagingVerb::Message(message) => Some(message),
            MessagingVerb::Redirect(_) => None,
        })
        .collect()
}

fn only_message(xml: &str) -> MessageVerb {
    let response = parse(xml);
    assert!(response.warnings.is_empty(), "{:?}", response.warnings);
    match response.verbs.as_slice() {
        [MessagingVerb::Message(message)] => message.clone(),
        other => panic!("{xml}: expected one <Message>, got {other:?}"),
    }
}

fn warning_codes(response: &MessagingResponse) -> Vec<u32> {
    response.warnings.iter().map(|w| w.code).collect()
}

fn text_message(body: &str) -> MessageVerb {
    MessageVerb {
        to: None,
        from: None,
        action: None,
        method: HookMethod::Post,
        status_callback: None,
        body: body.to_owned(),
        media: Vec::new(),
    }
}

// --- <Message> -------------------------------------------------------------

#[test]
fn message_text_directly_inside_is_the_body() {
    assert_eq!(
        only_message("<Response><Message>Hello</Message></Response>"),
        text_message("Hello")
    );
}

#[test]
fn message_attributes_are_read() {
    let message = only_message(
        r#"<Response><Message to="+15558675310" from="+15017122661" action="/status" method="GET" statusCallback="https://cb.example/s">Hi</Message></Response>"#,
    );
    assert_eq!(message.to.as_deref(), Some("+15558675310"));
    assert_eq!(message.from.as_deref(), Some("+15017122661"));
    assert_eq!(message.action.as_deref(), Some("/status"));
    assert_eq!(message.method, HookMethod::Get);
    assert_eq!(
        message.status_callback.as_deref(),
        Some("https://cb.example/s")
    );
}

#[test]
fn message_method_defaults_to_post() {
    let message = only_message(r#"<Response><Message action="/a">Hi</Message></Response>"#);
    assert_eq!(message.method, HookMethod::Post);
}

#[test]
fn body_and_media_nouns() {
    let message = only_message(
        "<Response><Message><Body>Store Location: 123 Easy St.</Body>\
         <Media>https://demo.example/owl.png</Media><Media>/cat.gif</Media></Message></Response>",
    );
    assert_eq!(message.body, "Store Location: 123 Easy St.");
    assert_eq!(message.media, ["https://demo.example/owl.png", "/cat.gif"]);
}

#[test]
fn text_beside_media_is_the_body() {
    // What twilio-node writes for `response.message('Hi').media(url)`.
    let message = only_message(
        "<Response><Message>Hi there<Media>https://m.example/a.jpg</Media></Message></Response>",
    );
    assert_eq!(message.body, "Hi there");
    assert_eq!(message.media, ["https://m.example/a.jpg"]);
}

#[test]
fn media_without_body_is_a_message() {
    let message = only_message(
        "<Response><Message><Media>https://m.example/a.jpg</Media></Message></Response>",
    );
    assert_eq!(message.body, "");
    assert_eq!(message.media.len(), 1);
}

#[test]
fn several_messages_send_several() {
    let response = parse(
        "<Response><Message>one</Message><Message to=\"+15550001111\">two</Message></Response>",
    );
    let bodies: Vec<&str> = messages(&response)
        .iter()
        .map(|m| m.body.as_str())
        .collect();
    assert_eq!(bodies, ["one", "two"]);
}

#[test]
fn body_and_urls_are_trimmed_but_inner_whitespace_kept() {
    let message = only_message(
        "<Response>\n  <Message to=\"  +15558675310 \" action=\" /next \">\n    Hello,\n    world!  \n  </Message>\n</Response>",
    );
    assert_eq!(message.body, "Hello,\n    world!");
    assert_eq!(message.to.as_deref(), Some("+15558675310"));
    assert_eq!(message.action.as_deref(), Some("/next"));
    let message = only_message(
        "<Response><Message><Body> x </Body><Media>\n https://m.example/a.png \n</Media></Message></Response>",
    );
    assert_eq!(message.body, "x");
    assert_eq!(message.media, ["https://m.example/a.png"]);
}

#[test]
fn blank_attributes_are_absent() {
    let message =
        only_message(r#"<Response><Message to="" from=" " action="">Hi</Message></Response>"#);
    assert_eq!(message, text_message("Hi"));
}

#[test]
fn a_long_body_is_kept_whole() {
    let text = "é".repeat(5000);
    let message = only_message(&format!("<Response><Message>{text}</Message></Response>"));
    assert_eq!(message.body, text);
}

#[test]
fn message_with_neither_body_nor_media_is_skipped_with_14103() {
    for xml in [
        "<Response><Message/></Response>",
        "<Response><Message>   \n </Message></Response>",
        "<Response><Message><Body> </Body></Message></Response>",
    ] {
        let response = parse(xml);
        assert!(response.verbs.is_empty(), "{xml}");
        assert_eq!(warning_codes(&response), [14103], "{xml}");
    }
}

#[test]
fn body_wins_over_text_beside_it_with_a_warning() {
    let response = parse(
        "<Response><Message>ignored<Body>sent</Body><Body>second</Body></Message></Response>",
    );
    assert_eq!(messages(&response)[0].body, "sent");
    assert_eq!(warning_codes(&response), [12200, 12200]);
}

#[test]
fn unknown_attribute_is_warned_and_ignored() {
    // XML is case-sensitive: `To` is not `to`.
    let response =
        parse(r#"<Response><Message To="+15550001111" foo="bar">Hi</Message></Response>"#);
    assert_eq!(messages(&response)[0], &text_message("Hi"));
    assert_eq!(warning_codes(&response), [12200, 12200]);
    assert!(
        response.warnings[0].message.contains("\"To\""),
        "{}",
        response.warnings[0]
    );
}

#[test]
fn invalid_method_is_warned_with_14104_and_post_used() {
    for method in ["PUT", "get", ""] {
        let xml =
            format!(r#"<Response><Message method="{method}" action="/a">Hi</Message></Response>"#);
        let response = parse(&xml);
        assert_eq!(messages(&response)[0].method, HookMethod::Post, "{method}");
        let expected: &[u32] = if method.is_empty() { &[] } else { &[14104] };
        assert_eq!(warning_codes(&response), expected, "{method}");
    }
}

#[test]
fn unknown_elements_inside_message_and_body_are_warned() {
    let response = parse(
        "<Response><Message><Body>Hi<b>bold</b></Body><Image>x</Image><Media/></Message></Response>",
    );
    assert_eq!(messages(&response)[0].body, "Hi");
    assert!(messages(&response)[0].media.is_empty());
    assert_eq!(warning_codes(&response), [12200, 12200, 12200]);
}

#[test]
fn sms_is_a_text_only_message() {
    let response = parse(r#"<Response><Sms to="+15550001111">Hi<Media>x</Media></Sms></Response>"#);
    let message = messages(&response)[0];
    assert_eq!(message.body, "Hi");
    assert!(message.media.is_empty());
    assert_eq!(message.to.as_deref(), Some("+15550001111"));
    assert_eq!(warning_codes(&response), [12200]);
}

// --- <Redirect> ------------------------------------------------------------

#[test]
fn redirect_reads_url_and_method() {
    let response = parse(
        r#"<Response><Redirect method="GET"> https://app.example/next </Redirect></Response>"#,
    );
    assert_eq!(
        response.verbs,
        [MessagingVerb::Redirect(RedirectVerb {
            url: "https://app.example/next".to_owned(),
            method: HookMethod::Get,
        })]
    );
    let response = parse("<Response><Redirect>next.xml</Redirect></Response>");
    assert_eq!(
        response.verbs,
        [MessagingVerb::Redirect(RedirectVerb {
            url: "next.xml".to_owned(),
            method: HookMethod::Post,
        })]
    );
}

#[test]
fn verbs_after_redirect_never_run() {
    let response = parse(
        "<Response><Message>before</Message><Redirect>/next</Redirect><Message>after</Message><Redirect>/other</Redirect></Response>",
    );
    assert_eq!(response.verbs.len(), 2);
    assert_eq!(messages(&response)[0].body, "before");
    assert!(matches!(&response.verbs[1], MessagingVerb::Redirect(r) if r.url == "/next"));
    assert!(response.warnings.is_empty());
}

#[test]
fn redirect_without_url_or_with_bad_method_is_warned() {
    let response =
        parse("<Response><Redirect/><Redirect method=\"DELETE\">/x</Redirect></Response>");
    assert_eq!(warning_codes(&response), [12200, 12200]);
    assert_eq!(
        response.verbs,
        [MessagingVerb::Redirect(RedirectVerb {
            url: "/x".to_owned(),
            method: HookMethod::Post,
        })]
    );
}

// --- unknown verbs ---------------------------------------------------------

#[test]
fn unknown_verb_is_a_12200_warning_and_the_rest_runs() {
    let response =
        parse("<Response><Foo/>\n<message>lower</message>\n<Message>ok</Message></Response>");
    assert_eq!(messages(&response).len(), 1);
    assert_eq!(warning_codes(&response), [12200, 12200]);
    assert_eq!(response.warnings[1].line, 2);
    assert!(
        response.warnings[1]
            .message
            .contains("did you mean <Message>"),
        "{}",
        response.warnings[1]
    );
}

#[test]
fn voice_verb_is_a_14110_warning() {
    let response = parse("<Response><Say>hello</Say><Message>ok</Message></Response>");
    assert_eq!(messages(&response).len(), 1);
    assert_eq!(warning_codes(&response), [14110]);
}

#[test]
fn text_and_attributes_on_response_are_warned() {
    let response = parse(r#"<Response version="1">stray<Message>ok</Message></Response>"#);
    assert_eq!(messages(&response).len(), 1);
    assert_eq!(warning_codes(&response), [12200, 12200]);
}

// --- empty answers ---------------------------------------------------------

#[test]
fn empty_answers_do_nothing() {
    for (body, content_type) in [
        (&b""[..], None),
        (b"", Some("text/xml")),
        (b"  \r\n\t ", Some("text/html")),
        (b"\n", None),
        (b"\xEF\xBB\xBF", Some("application/json")),
        (b"", Some("text/plain")),
        (b"<Response/>", XML),
        (b"<Response></Response>", XML),
        (
            b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response>\n</Response>\n",
            XML,
        ),
    ] {
        let response =
            parse_messaging(body, content_type).unwrap_or_else(|error| panic!("{body:?}: {error}"));
        assert_eq!(response, MessagingResponse::default(), "{body:?}");
    }
}

// --- content types ---------------------------------------------------------

#[test]
fn twiml_content_types_are_accepted() {
    for content_type in [
        "text/xml",
        "application/xml",
        "text/html",
        "text/xml; charset=utf-8",
        "Application/XML;charset=UTF-8",
        " text/html ",
    ] {
        let response = parse_messaging(
            b"<Response><Message>Hi</Message></Response>",
            Some(content_type),
        )
        .unwrap_or_else(|error| panic!("{content_type}: {error}"));
        assert_eq!(response.verbs.len(), 1, "{content_type}");
    }
}

#[test]
fn plain_text_is_a_reply() {
    for content_type in ["text/plain", "text/plain; charset=utf-8", "TEXT/PLAIN"] {
        let response =
            parse_messaging(b"  Thanks, <got it> & see you!\n", Some(content_type)).unwrap();
        assert_eq!(
            response.verbs,
            [MessagingVerb::Message(text_message(
                "Thanks, <got it> & see you!"
            ))]
        );
    }
}

#[test]
fn other_content_types_are_refused_with_12300() {
    for content_type in [Some("application/json"), Some("image/png"), Some(""), None] {
        let error = parse_messaging(b"{\"ok\": true}", content_type).unwrap_err();
        assert_eq!(error.code(), 12300, "{content_type:?}");
        assert!(error.to_string().contains("Content-Type"), "{error}");
    }
    let error = parse_messaging(b"<Response/>", Some("application/json")).unwrap_err();
    assert_eq!(
        error,
        TwimlError::ContentType {
            content_type: Some("application/json".to_owned())
        }
    );
    assert!(
        error.to_string().contains("\"application/json\""),
        "{error}"
    );
}

// --- size ------------------------------------------------------------------

#[test]
fn ten_megabytes_are_refused_before_parsing() {
    // Not even XML: the size is checked first.
    let body = vec![b'<'; 10 * 1024 * 1024];
    let error = parse_messaging(&body, XML).unwrap_err();
    assert_eq!(error, TwimlError::TooLarge { size: body.len() });
    assert_eq!(error.code(), 11750);
    assert!(error.to_string().contains("10485760 bytes"), "{error}");
    // Also before the Content-Type: a huge error page is 11750, as at Twilio.
    let error = parse_messaging(&body, Some("application/json")).unwrap_err();
    assert_eq!(error.code(), 11750);
}

#[test]
fn exactly_64_kb_is_read() {
    let open = "<Response><Message>";
    let close = "</Message></Response>";
    let fill = MAX_DOCUMENT_BYTES - open.len() - close.len();
    let document = format!("{open}{}{close}", "x".repeat(fill));
    assert_eq!(document.len(), MAX_DOCUMENT_BYTES);
    assert_eq!(messages(&parse(&document))[0].body.len(), fill);
    let document = format!("{open}{}{close}", "x".repeat(fill + 1));
    assert_eq!(parse_err(&document).code(), 11750);
}

// --- malformed documents ---------------------------------------------------

#[test]
fn malformed_xml_names_the_line() {
    let error =
        parse_err("<Response>\n  <Message>Hi</Message>\n  <Message>oops</Mesage>\n</Response>");
    assert_eq!(error.code(), 12100);
    let TwimlError::Parse { line, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(*line, 3);
    let message = error.to_string();
    assert!(message.starts_with("line 3, column "), "{message}");
    assert!(message.contains("Mesage"), "{message}");
}

#[test]
fn malformed_documents_are_12100() {
    for xml in [
        "<Response><Message>Hi</Message>",
        "<Response><Message to=+1555>Hi</Message></Response>",
        "<Response><Message to=\"a\" to=\"b\">Hi</Message></Response>",
        "<Response>Tom & Jerry</Response>",
        "<Response/><Response/>",
        "<Response/>trailing",
        "OK",
        "<html><body>Internal Server Error",
        "<Response><Message>Hi</Message></Response><!-- fine --> <Message/>",
    ] {
        assert_eq!(parse_err(xml).code(), 12100, "{xml}");
    }
}

#[test]
fn a_wrong_root_is_12102() {
    let error = parse_err("<?xml version=\"1.0\"?>\n<response><Message>Hi</Message></response>");
    assert_eq!(
        error,
        TwimlError::Root {
            found: "response".to_owned(),
            line: 2
        }
    );
    assert_eq!(error.code(), 12102);
    assert!(error.to_string().contains("<response>"), "{error}");
    assert_eq!(parse_err("<Message>Hi</Message>").code(), 12102);
}

#[test]
fn text_before_the_xml_declaration_is_12100() {
    let error = parse_err("\n<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>");
    assert_eq!(error.code(), 12100);
    assert!(error.to_string().contains("XML declaration"), "{error}");
}

#[test]
fn a_byte_order_mark_and_declaration_are_fine() {
    let body = b"\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>Hi</Message></Response>";
    assert_eq!(parse_messaging(body, XML).unwrap().verbs.len(), 1);
}

#[test]
fn invalid_utf8_is_12100_with_its_line() {
    let error =
        parse_messaging(b"<Response>\n<Message>\xFF</Message></Response>", XML).unwrap_err();
    assert_eq!(
        error,
        TwimlError::Parse {
            line: 2,
            column: 10,
            detail: "the document is not valid UTF-8".to_owned()
        }
    );
}

#[test]
fn comments_and_processing_instructions_are_ignored() {
    let message = only_message(
        "<!-- generated --><Response><?php echo 1 ?><Message>He<!-- x -->llo</Message><!-- end --></Response>",
    );
    assert_eq!(message.body, "Hello");
}

#[test]
fn cdata_is_text() {
    let message = only_message("<Response><Message><![CDATA[a < b && c]]></Message></Response>");
    assert_eq!(message.body, "a < b && c");
}

#[test]
fn predefined_entities_and_character_references_are_resolved() {
    let message = only_message(
        r#"<Response><Message action="/a?x=1&amp;y=2">Tom &amp; Jerry &lt;3 &#233;&#x1F600; &quot;&apos;&gt;</Message></Response>"#,
    );
    assert_eq!(message.body, "Tom & Jerry <3 é😀 \"'>");
    assert_eq!(message.action.as_deref(), Some("/a?x=1&y=2"));
}

#[test]
fn unknown_entities_are_12100() {
    let error = parse_err("<Response><Message>&nbsp;</Message></Response>");
    assert_eq!(error.code(), 12100);
    assert!(error.to_string().contains("&nbsp;"), "{error}");
}

#[test]
fn doctype_is_refused_so_no_entity_is_ever_expanded() {
    // Billion laughs and an external entity (XXE): refused at the DOCTYPE,
    // before any entity could be defined.
    for xml in [
        "<!DOCTYPE Response><Response/>",
        "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>\n<Response><Message>&lol2;</Message></Response>",
        "<!DOCTYPE r [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><Response><Message>&xxe;</Message></Response>",
    ] {
        let error = parse_err(xml);
        assert_eq!(error.code(), 12100, "{xml}");
        assert!(error.to_string().contains("DOCTYPE"), "{error}");
    }
}

#[test]
fn deep_nesting_is_refused() {
    let depth = 9_000;
    let xml = format!(
        "<Response>{}{}</Response>",
        "<a>".repeat(depth),
        "</a>".repeat(depth)
    );
    assert!(xml.len() <= MAX_DOCUMENT_BYTES);
    let error = parse_err(&xml);
    assert_eq!(error.code(), 12100);
    assert!(error.to_string().contains("nested more than"), "{error}");
    // Within the limit, unknown elements are only warnings.
    let xml = format!(
        "<Response>{}{}</Response>",
        "<a>".repeat(10),
        "</a>".repeat(10)
    );
    assert_eq!(warning_codes(&parse(&xml)), [12200]);
}

#[test]
fn warnings_carry_lines() {
    let response =
        parse("<Response>\n\n<Play>x</Play>\n<Message method=\"PATCH\">Hi</Message>\n</Response>");
    let lines: Vec<(u32, usize)> = response.warnings.iter().map(|w| (w.code, w.line)).collect();
    assert_eq!(lines, [(14110, 3), (14104, 4)]);
    assert_eq!(
        response.warnings[1].to_string(),
        format!("line 4: {}", response.warnings[1].message)
    );
}

// --- URLs ------------------------------------------------------------------

#[test]
fn relative_urls_resolve_against_the_document() {
    let base = "https://app.example/sms/reply.xml?x=1";
    for (reference, expected) in [
        ("next.xml", "https://app.example/sms/next.xml"),
        ("/next", "https://app.example/next"),
        ("../top", "https://app.example/top"),
        ("?step=2", "https://app.example/sms/reply.xml?step=2"),
        ("//other.example/x", "https://other.example/x"),
        ("http://other.example/y", "http://other.example/y"),
        ("  /trimmed  ", "https://app.example/trimmed"),
        ("/hook#rc=2&rp=all", "https://app.example/hook#rc=2&rp=all"),
    ] {
        assert_eq!(
            resolve_url(base, reference).unwrap().as_str(),
            expected,
            "{reference}"
        );
    }
}

#[test]
fn unusable_urls_are_11100() {
    let base = "https://app.example/sms";
    for reference in [
        "",
        "   ",
        "ftp://files.example/a",
        "javascript:alert(1)",
        "mailto:a@b.example",
        "http://[::1",
    ] {
        let error = resolve_url(base, reference).unwrap_err();
        assert_eq!(error.code(), 11100, "{reference}");
    }
    assert!(resolve_url("not a url", "/x").is_err());
    let error = resolve_url(base, "file:///etc/passwd").unwrap_err();
    assert!(error.to_string().contains("scheme"), "{error}");
}

#[test]
fn nesting_limit_counts_the_root() {
    let nested = |depth: usize| {
        format!(
            "<Response>{}{}</Response>",
            "<a>".repeat(depth),
            "</a>".repeat(depth)
        )
    };
    // <Response> and 31 levels inside it: 32 in all.
    assert_eq!(warning_codes(&parse(&nested(31))), [12200]);
    assert_eq!(parse_err(&nested(32)).code(), 12100);
}

#[test]
fn an_unfinished_document_names_the_open_element() {
    let error = parse_err("<Response>\n<Message>Hi");
    assert_eq!(error.code(), 12100);
    assert!(error.to_string().contains("Message"), "{error}");
}

#[test]
fn attribute_faults_point_at_the_attribute() {
    let error = parse_err("<Response>\n<Message to=+15550001111>Hi</Message></Response>");
    let TwimlError::Parse {
        line,
        column,
        detail,
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!((*line, *column), (2, 13));
    assert_eq!(detail, "in <Message>: attribute values must be in quotes");
}
