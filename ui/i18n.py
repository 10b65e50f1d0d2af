"""Interface texts: German first (the users are German city staff), English switchable."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from ui.i18n_cases import CASE_TEXTS

TEXTS: dict[str, dict[str, str]] = {
    "de": {
        "title": "Auskunft",
        "subtitle": "Recherche in Ratsbeschlüssen, Satzungen und Dienstanweisungen",
        "query": "Suchanfrage",
        "query_help": 'Stichworte, "Phrasen", AND / OR / NOT, oder eine Frage in ganzen Sätzen',
        "search": "Suchen",
        "mode": "Suchmodus",
        "mode_hybrid": "Hybrid (Stichwort + semantisch)",
        "mode_keyword": "Stichwort",
        "mode_semantic": "Semantisch",
        "filters": "Filter",
        "sources": "Quellen",
        "doc_types": "Dokumentart",
        "date_from": "Datum von",
        "date_to": "Datum bis",
        "date_placeholder": "TT.MM.JJJJ",
        "date_help": "Ein Datum wie 15.03.2024; die Eingabetaste übernimmt es.",
        "date_invalid": "Kein gültiges Datum – bitte als TT.MM.JJJJ eingeben, z. B. 15.03.2024.",
        "top_k": "Anzahl Dokumente",
        "no_results": "Keine Treffer. Versuchen Sie andere Stichworte oder den semantischen Modus.",
        "results": "{n} Dokumente",
        "results_range": "Treffer {first}–{last} von {total}",
        "results_range_capped": "Treffer {first}–{last} der besten {total}",
        "results_capped": "Mehr als {n} Dokumente (gezählt: die besten {n})",
        "refine": "Treffer eingrenzen",
        "page_prev": "Zurück",
        "page_next": "Weitere Treffer",
        "more_none": "Keine weiteren Stellen in diesem Dokument.",
        "export_help": "Die ersten {n} Treffer in der gewählten Reihenfolge, mit Fundstellen",
        "citation": "Fundstelle",
        "open": "Original herunterladen",
        "passages": "Weitere Fundstellen im Dokument",
        "status": "Indexstand",
        "status_line": "{indexed} Dokumente indexiert, {failed} fehlerhaft, {chunks} Abschnitte",
        "empty_index": "Der Index ist leer. Dokumente aufnehmen mit: auskunft ingest ORDNER",
        "error": "Die Suche ist fehlgeschlagen: {error}",
        "language": "Sprache",
        "searching": "Suche läuft …",
        "decision": "Beschluss/Vorlage",
        "statute": "Satzung/Verordnung",
        "guidance": "Dienstanweisung/Rundschreiben",
        "correspondence": "Schreiben/E-Mail",
        "other": "Sonstiges",
        "sort": "Sortierung",
        "all": "alle",
        "sort_relevance": "Relevanz",
        "sort_date_desc": "Datum (neueste zuerst)",
        "sort_date_asc": "Datum (älteste zuerst)",
        "facet_source": "Quelle",
        "facet_doc_type": "Dokumentart",
        "facet_year": "Jahr",
        "facet_committee": "Gremium",
        "facet_department": "Fachbereich",
        "open_page": "S. {page} öffnen",
        "open_doc": "Dokument öffnen",
        "cite": "Zitieren",
        "cite_letter": "Für ein Schreiben (Kopieren-Symbol rechts):",
        "cite_full": "Vollständige Fundstelle:",
        "more_from_doc": "Mehr aus diesem Dokument",
        "more_title": "Mehr aus: {title}",
        "close": "Schließen",
        "answer_pending": "Antwort mit Quellenangaben (KI) – folgt in einer späteren Version.",
        "answer_title": "Antwortentwurf",
        "summary_title": "Auszug aus den Treffern",
        "answer_drafting": "Antwortentwurf wird erstellt …",
        "answer_sources": "Quellen (anklicken zum Öffnen):",
        "no_llm": "Keine KI eingerichtet: Auskunft ist ein Suchwerkzeug und zeigt wörtliche Sätze.",
        "llm_unavailable": (
            "Die KI ist nicht erreichbar oder zu langsam; die Suche funktioniert, "
            "hier ein Auszug statt eines Entwurfs."
        ),
        "not_answered": "Die Treffer beantworten die Frage nicht.",
        "injection_notice": (
            "Ein Treffer enthielt Anweisungen an eine KI; sie wurden ihr nicht vorgelegt."
        ),
        "flagged_because": "Bitte prüfen: {reasons}",
        "flag_no_citation": "ohne Quellenangabe",
        "flag_low_support": "von den genannten Quellen kaum gedeckt",
        "flag_removed_citation": "Verweis auf eine nicht vorgelegte Quelle entfernt",
        "flag_link_removed": "Link entfernt, der in keiner Quelle steht",
        "flag_instruction_echo": "wiederholt eine Anweisung an die KI",
        "flag_wrong_figure": "Betrag oder Zahl steht so nicht in der Quelle",
        "flag_wrong_date": "Datum oder Frist steht so nicht in der Quelle",
        "flag_wrong_reference": "Paragraf, Absatz oder Drucksache steht so nicht in der Quelle",
        "flag_negation": "Verneinung oder muss/kann/darf weicht von der Quelle ab",
        "flag_wrong_body": "Gremium oder Amt steht so nicht in der Quelle",
        "unsupported_words": "nicht in der Quelle: {words}",
        "audit_failed": "Protokollierung fehlgeschlagen: {error}",
        "nav_audit": "Protokoll",
        "audit_intro": (
            "Jede Suche und jede Antwort: Zeit, Benutzer, Anfrage, Filter, Abschnitte mit "
            "Dokument-Hash, Modell, Prompt-Version, Antwort und Hinweise."
        ),
        "audit_time": "Zeit",
        "audit_user": "Benutzer",
        "audit_kind": "Art",
        "audit_kind_search": "Suche",
        "audit_kind_answer": "Antwort",
        "audit_kind_ingest": "Aufnahme",
        "audit_query": "Anfrage",
        "audit_chunks": "Abschnitte",
        "audit_model": "Modell",
        "audit_flags": "Hinweise",
        "audit_answer": "Antwort",
        "audit_since": "Ab Datum",
        "audit_export_jsonl": "Export JSONL",
        "audit_export_csv": "Export CSV",
        "audit_empty": "Keine Einträge.",
        "audit_shown": "Die neuesten {n} Einträge",
        "not_available": "Dieses Dokument ist nicht verfügbar.",
        "passage_only": "Für dieses Format gibt es keine Seitenansicht; hier die Fundstelle:",
        "page_of": "Seite {page} von {count}",
        "prev_page": "Vorige Seite",
        "next_page": "Nächste Seite",
        "rendering": "Seite wird aufbereitet …",
        "zoom_in": "Vergrößern",
        "zoom_out": "Verkleinern",
        "copy_link": "Link kopieren",
        "link": "Link zu dieser Stelle",
        "link_copied": "Link kopiert",
        "whole_document": "Ganzes Dokument, die zitierte Stelle ist markiert:",
        "page_marker": "Seite {page}",
        "passage_not_marked": "Die zitierte Stelle ließ sich auf dieser Seite nicht markieren.",
        "no_text_layer": "Text der Seite nicht verfügbar, nur das Bild: {error}",
        "loading": "Wird geladen …",
        "dev_banner": "Entwicklungsmodus – keine Anmeldung. Nicht für echte Dokumente verwenden.",
        "dev_user": "Benutzer (Entwicklungsmodus)",
        "dev_name": "Benutzername",
        "dev_groups": "Gruppen (durch Komma getrennt)",
        "dev_groups_help": "Mit der Gruppe „{admin}“ sind Sie Administrator.",
        "login_needed": "Bitte melden Sie sich an.",
        "login": "Anmelden",
        "logout": "Abmelden",
        "no_proxy_user": (
            "Keine Anmeldung: Der vorgeschaltete Proxy hat keinen Benutzer "
            "übermittelt (Kopfzeile {header})."
        ),
        "signed_in_as": "Angemeldet: {name} ({role}) · Gruppen: {groups}",
        "role_admin": "Administration",
        "role_staff": "Mitarbeitende",
        "forbidden": "Kein Zugriff: Diese Seite ist der Administration vorbehalten.",
        "service_unavailable": "Der Suchdienst ist gerade nicht erreichbar. Bitte versuchen "
        "Sie es in einer Minute noch einmal; bleibt es so, verständigen Sie die IT "
        "(der Dienst wird mit „auskunft serve“ gestartet).",
        "nav_search": "Suche",
        "nav_document": "Dokument",
        "nav_status": "Indexstatus",
        "nav_sources": "Quellen",
        "status_indexed": "indexiert",
        "status_failed": "fehlerhaft",
        "status_indexing": "in Arbeit",
        "chunks": "Abschnitte",
        "disk_use": "Speicherplatz",
        "data_dir_model": "Datenverzeichnis: {path} · Embedding-Modell: {model}",
        "per_source": "Dokumente je Quelle",
        "source": "Quelle",
        "failures": "Fehlerhafte Dokumente",
        "no_failures": "Keine fehlerhaften Dokumente.",
        "retry": "Erneut versuchen",
        "retrying": "Dokument wird erneut verarbeitet …",
        "retry_ok": "Das Dokument wurde indexiert.",
        "retry_failed": "Erneut fehlgeschlagen: {error}",
        "sync_now": "Jetzt synchronisieren",
        "sync_starting": "Synchronisiere {name} …",
        "files_done": "{done} von {total} Dateien",
        "ocr_pages": "{name}: Texterkennung Seite {done} von {total}",
        "sync_progress": "{n} von {total}: {file}",
        "sync_progress_open": "{n} Dokumente bearbeitet: {file}",
        "sync_done": "{name} synchronisiert.",
        "sync_report": (
            "{seen} Dateien geprüft: {indexed} indexiert, {unchanged} unverändert, "
            "{failed} fehlerhaft, {deleted} entfernt ({seconds:.1f} s)."
        ),
        "never_synced": "Noch nie synchronisiert.",
        "last_sync_ok": (
            "Letzte Synchronisierung {at}: {indexed} indexiert, {unchanged} "
            "unverändert, {failed} fehlerhaft, {deleted} entfernt."
        ),
        "last_sync_failed": "Letzte Synchronisierung {at} fehlgeschlagen: {error}",
        "last_sync_queued": (
            "Letzte Synchronisierung {at}: {seen} gelistet, {queued} zur Aufnahme "
            "eingereiht, {unchanged} unverändert, {deleted} entfernt."
        ),
        "needs_reindex": (
            "Geänderte Einstellungen: Die nächste Synchronisierung baut die "
            "Dokumente dieser Quelle neu auf."
        ),
        "source_facts": (
            "{indexed} indexiert, {failed} fehlerhaft · Gruppen: {groups} · "
            "einschließen: {include} · ausschließen: {exclude}"
        ),
        "edit": "Bearbeiten",
        "remove": "Entfernen",
        "remove_confirm": "Quelle „{name}“ und alle ihre Dokumente aus dem Index entfernen?",
        "removing": "Dokumente werden entfernt …",
        "removed": "Quelle „{name}“ entfernt ({n} Dokumente).",
        "saved": "Quelle „{name}“ gespeichert.",
        "added": "Quelle „{name}“ angelegt. Mit „Jetzt synchronisieren“ aufnehmen.",
        "no_sources": "Noch keine Quellen eingerichtet.",
        "add_new_source": "Neue Quelle hinzufügen",
        "add_source": "Quelle anlegen",
        "save": "Speichern",
        "source_name": "Name",
        "source_path": "Ordner (Pfad auf dem Server)",
        "source_include": "Einschließen (ein Muster je Zeile, leer: alle Dateien)",
        "source_exclude": "Ausschließen (ein Muster je Zeile)",
        "source_globs_help": "Glob-Muster relativ zum Ordner, z. B. **/*.pdf",
        "source_groups": "Zugriffsgruppen (durch Komma getrennt)",
        "source_groups_help": "Wer die Dokumente sehen darf; leer: die Standardgruppen",
        "source_doc_type": "Dokumentart",
        "infer": "automatisch erkennen",
        "unregistered": "Weitere Quellen im Index",
        "unregistered_help": "Mit „auskunft ingest“ aufgenommen; hier nur entfernbar.",
        "source_kind": "Art der Quelle",
        "kind_folder": "Ordner",
        "kind_oparl": "Ratsinformationssystem (OParl)",
        "kind_website": "Website",
        "kind_lawxml": "Bundes-/Landesrecht (XML)",
        "source_location": "Ort: {label}",
        "source_options": "Weitere Einstellungen (SCHLÜSSEL=Wert, eine je Zeile)",
        "source_options_help": "Bekannt für diese Art: {known}",
        "source_interval": "Automatisch synchronisieren alle … Minuten (0: nur von Hand)",
        "test_connection": "Verbindung testen",
        "test_ok": "Verbindung in Ordnung: {result}",
        "from_config": "Aus der Einstellungsdatei – dort ändern oder entfernen.",
        "skipped_objects": "{n} Objekte der Quelle übersprungen",
        "source_failures": "Fehlerhafte Dokumente dieser Quelle: {n}",
        "every_minutes": "alle {n} Min.",
        "bad_option": "Einstellung „{line}“ hat nicht die Form SCHLÜSSEL=Wert",
        "technical": "Technische Meldung: {error}",
        "did_you_mean": "Meinten Sie: {suggestion}",
        "export_number": "Nr.",
        "export_title": "Titel",
        "export_type": "Dokumentart",
        "export_date": "Datum",
        "export_reference": "Aktenzeichen/Drucksache",
        "export_citation": "Fundstelle",
        "export_pages": "Seiten",
        "export_section": "Abschnitt",
        "export_source": "Quelle",
        "export_excerpt": "Textauszug",
        "export_uri": "Ort (URI)",
        "export_doc_id": "Dokument-ID",
        "export_heading": "Rechercheliste",
        "export_about": "Suche „{query}“ von {user} am {at}",
        "export_csv": "CSV-Liste",
        "export_pdf": "PDF-Liste",
        "as_of": "Rechtsstand am",
        "as_of_help": "Vorschriften, die an diesem Tag galten, stehen oben; leer = heute. "
        "Ein Datum wie 01.06.2024; die Eingabetaste übernimmt es.",
        "in_force_only": "Nur geltendes Recht",
        "in_force_only_help": "Vorschriften, die am Rechtsstand nicht (mehr oder noch nicht) "
        "galten, weglassen.",
        "as_of_header": "Rechtsstand: {date}",
        "superseded": "Frühere Fassung: {note}",
        "open_related": "{title} öffnen",
        "relations_title": "Fassungen und Verweise",
        "relations_as_of": "Stand: {date}",
        "in_force_from": "In Kraft seit {date}",
        "in_force_from_future": "Tritt am {date} in Kraft",
        "in_force_until": "Außer Kraft seit {date}",
        "evidence_page": "S. {page}",
        "amended_by_title": "Geändert durch",
        "amends_title": "Ändert",
        "replaces_title": "Ersetzt",
        "replaced_by_title": "Ersetzt durch",
        "history_title": "Fassungen",
        "references_title": "Verweist auf",
        "cited_by_title": "Zitiert von",
        "linked_date": "vom {date}",
        "linked_in_force": "in Kraft ab {date}",
        "linked_changes": "ändert {changes}",
        "this_document": "dieses Dokument",
        "no_relations": "Keine Fassungen oder Verweise bekannt.",
    },
    "en": {
        "title": "Auskunft",
        "subtitle": "Research in council decisions, statutes and internal guidance",
        "query": "Query",
        "query_help": 'Keywords, "phrases", AND / OR / NOT, or a question in full sentences',
        "search": "Search",
        "mode": "Search mode",
        "mode_hybrid": "Hybrid (keyword + semantic)",
        "mode_keyword": "Keyword",
        "mode_semantic": "Semantic",
        "filters": "Filters",
        "sources": "Sources",
        "doc_types": "Document type",
        "date_from": "Date from",
        "date_to": "Date to",
        "date_placeholder": "DD.MM.YYYY",
        "date_help": "A date such as 15.03.2024; Enter applies it.",
        "date_invalid": "Not a date – please type it as DD.MM.YYYY, e.g. 15.03.2024.",
        "top_k": "Number of documents",
        "no_results": "No results. Try other keywords or the semantic mode.",
        "results": "{n} documents",
        "results_range": "Results {first}–{last} of {total}",
        "results_range_capped": "Results {first}–{last} of the best {total}",
        "results_capped": "More than {n} documents (counted: the best {n})",
        "refine": "Refine results",
        "page_prev": "Back",
        "page_next": "More results",
        "more_none": "No further passages in this document.",
        "export_help": "The first {n} results in the chosen order, with citations",
        "citation": "Citation",
        "open": "Download original",
        "passages": "More passages in this document",
        "status": "Index status",
        "status_line": "{indexed} documents indexed, {failed} failed, {chunks} chunks",
        "empty_index": "The index is empty. Add documents with: auskunft ingest FOLDER",
        "error": "The search failed: {error}",
        "language": "Language",
        "searching": "Searching …",
        "decision": "council decision",
        "statute": "statute/regulation",
        "guidance": "internal guidance",
        "correspondence": "correspondence",
        "other": "other",
        "sort": "Sort by",
        "all": "all",
        "sort_relevance": "Relevance",
        "sort_date_desc": "Date (newest first)",
        "sort_date_asc": "Date (oldest first)",
        "facet_source": "Source",
        "facet_doc_type": "Document type",
        "facet_year": "Year",
        "facet_committee": "Committee",
        "facet_department": "Department",
        "open_page": "Open p. {page}",
        "open_doc": "Open document",
        "cite": "Cite",
        "cite_letter": "For a letter (copy icon on the right):",
        "cite_full": "Full citation:",
        "more_from_doc": "More from this document",
        "more_title": "More from: {title}",
        "close": "Close",
        "answer_pending": "Answer with citations (AI) – comes in a later version.",
        "answer_title": "Draft answer",
        "summary_title": "Extract from the results",
        "answer_drafting": "Drafting an answer …",
        "answer_sources": "Sources (click to open):",
        "no_llm": "No AI configured: Auskunft is a search tool and shows verbatim sentences.",
        "llm_unavailable": (
            "The AI is unreachable or too slow; search works, here is an extract "
            "instead of a draft."
        ),
        "not_answered": "The results do not answer the question.",
        "injection_notice": (
            "A result contained instructions to an AI; they were not shown to it."
        ),
        "flagged_because": "Please check: {reasons}",
        "flag_no_citation": "no citation",
        "flag_low_support": "hardly supported by the cited sources",
        "flag_removed_citation": "citation of a source not given was removed",
        "flag_link_removed": "link found in no source was removed",
        "flag_instruction_echo": "repeats an instruction to the AI",
        "flag_wrong_figure": "amount or number not stated so in the source",
        "flag_wrong_date": "date or deadline not stated so in the source",
        "flag_wrong_reference": "section, paragraph or printed paper not stated so in the source",
        "flag_negation": "negation or must/may/must not differs from the source",
        "flag_wrong_body": "committee or office not stated so in the source",
        "unsupported_words": "not in the source: {words}",
        "audit_failed": "Could not write the audit log: {error}",
        "nav_audit": "Audit log",
        "audit_intro": (
            "Every search and answer: time, user, query, filters, chunks with document "
            "hash, model, prompt version, answer and flags."
        ),
        "audit_time": "Time",
        "audit_user": "User",
        "audit_kind": "Kind",
        "audit_kind_search": "search",
        "audit_kind_answer": "answer",
        "audit_kind_ingest": "ingestion",
        "audit_query": "Query",
        "audit_chunks": "Chunks",
        "audit_model": "Model",
        "audit_flags": "Flags",
        "audit_answer": "Answer",
        "audit_since": "From date",
        "audit_export_jsonl": "Export JSONL",
        "audit_export_csv": "Export CSV",
        "audit_empty": "No records.",
        "audit_shown": "The newest {n} records",
        "not_available": "This document is not available.",
        "passage_only": "This format has no page view; here is the passage:",
        "page_of": "Page {page} of {count}",
        "prev_page": "Previous page",
        "next_page": "Next page",
        "rendering": "Rendering the page …",
        "zoom_in": "Zoom in",
        "zoom_out": "Zoom out",
        "copy_link": "Copy link",
        "link": "Link to this passage",
        "link_copied": "Link copied",
        "whole_document": "The whole document, the cited passage marked:",
        "page_marker": "Page {page}",
        "passage_not_marked": "The cited passage could not be marked on this page.",
        "no_text_layer": "The page's text is not available, only its image: {error}",
        "loading": "Loading …",
        "dev_banner": "Development mode – no login. Do not use with real documents.",
        "dev_user": "User (development mode)",
        "dev_name": "User name",
        "dev_groups": "Groups (comma-separated)",
        "dev_groups_help": "With the group “{admin}” you are an admin.",
        "login_needed": "Please log in.",
        "login": "Log in",
        "logout": "Log out",
        "no_proxy_user": "Not logged in: the reverse proxy passed no user (header {header}).",
        "signed_in_as": "Signed in: {name} ({role}) · groups: {groups}",
        "role_admin": "admin",
        "role_staff": "staff",
        "forbidden": "No access: this page is for admins only.",
        "service_unavailable": "The search service cannot be reached right now. Please try "
        "again in a minute; if it stays so, tell IT (the service is started with "
        "'auskunft serve').",
        "nav_search": "Search",
        "nav_document": "Document",
        "nav_status": "Index status",
        "nav_sources": "Sources",
        "status_indexed": "indexed",
        "status_failed": "failed",
        "status_indexing": "in progress",
        "chunks": "Chunks",
        "disk_use": "Disk use",
        "data_dir_model": "Data directory: {path} · embedding model: {model}",
        "per_source": "Documents per source",
        "source": "Source",
        "failures": "Failed documents",
        "no_failures": "No failed documents.",
        "retry": "Retry",
        "retrying": "Processing the document again …",
        "retry_ok": "The document was indexed.",
        "retry_failed": "Failed again: {error}",
        "sync_now": "Sync now",
        "sync_starting": "Syncing {name} …",
        "files_done": "{done} of {total} files",
        "ocr_pages": "{name}: text recognition page {done} of {total}",
        "sync_progress": "{n} of {total}: {file}",
        "sync_progress_open": "{n} documents processed: {file}",
        "sync_done": "{name} synced.",
        "sync_report": (
            "{seen} files checked: {indexed} indexed, {unchanged} unchanged, "
            "{failed} failed, {deleted} removed ({seconds:.1f} s)."
        ),
        "never_synced": "Never synced.",
        "last_sync_queued": (
            "Last sync {at}: {seen} listed, {queued} queued for ingestion, {unchanged} "
            "unchanged, {deleted} removed."
        ),
        "last_sync_ok": (
            "Last sync {at}: {indexed} indexed, {unchanged} unchanged, {failed} "
            "failed, {deleted} removed."
        ),
        "last_sync_failed": "Last sync {at} failed: {error}",
        "needs_reindex": "Settings changed: the next sync rebuilds this source's documents.",
        "source_facts": (
            "{indexed} indexed, {failed} failed · groups: {groups} · include: "
            "{include} · exclude: {exclude}"
        ),
        "edit": "Edit",
        "remove": "Remove",
        "remove_confirm": "Remove source “{name}” and all its documents from the index?",
        "removing": "Removing documents …",
        "removed": "Source “{name}” removed ({n} documents).",
        "saved": "Source “{name}” saved.",
        "added": "Source “{name}” added. Use “Sync now” to ingest it.",
        "no_sources": "No sources configured yet.",
        "add_new_source": "Add a new source",
        "add_source": "Add source",
        "save": "Save",
        "source_name": "Name",
        "source_path": "Folder (path on the server)",
        "source_include": "Include (one pattern per line, empty: all files)",
        "source_exclude": "Exclude (one pattern per line)",
        "source_globs_help": "Glob patterns relative to the folder, e.g. **/*.pdf",
        "source_groups": "Access groups (comma-separated)",
        "source_groups_help": "Who may see the documents; empty: the default groups",
        "source_doc_type": "Document type",
        "infer": "detect automatically",
        "unregistered": "Other sources in the index",
        "unregistered_help": "Ingested with “auskunft ingest”; they can only be removed here.",
        "source_kind": "Kind of source",
        "kind_folder": "Folder",
        "kind_oparl": "Council information system (OParl)",
        "kind_website": "Website",
        "kind_lawxml": "Federal/state law (XML)",
        "source_location": "Location: {label}",
        "source_options": "More settings (KEY=value, one per line)",
        "source_options_help": "Known for this kind: {known}",
        "source_interval": "Sync automatically every … minutes (0: on demand only)",
        "test_connection": "Test connection",
        "test_ok": "Connection fine: {result}",
        "from_config": "From the settings file – change or remove it there.",
        "skipped_objects": "{n} objects of the source skipped",
        "source_failures": "Failed documents of this source: {n}",
        "every_minutes": "every {n} min",
        "bad_option": "Setting '{line}' is not of the form KEY=value",
        "technical": "Technical message: {error}",
        "did_you_mean": "Did you mean: {suggestion}",
        "export_number": "No.",
        "export_title": "Title",
        "export_type": "Document type",
        "export_date": "Date",
        "export_reference": "Reference",
        "export_citation": "Citation",
        "export_pages": "Pages",
        "export_section": "Section",
        "export_source": "Source",
        "export_excerpt": "Excerpt",
        "export_uri": "Location (URI)",
        "export_doc_id": "Document id",
        "export_heading": "Research list",
        "export_about": "Search “{query}” by {user} on {at}",
        "export_csv": "CSV list",
        "export_pdf": "PDF list",
        "as_of": "Law as of",
        "as_of_help": "Rules in force on this day come first; empty = today. "
        "A date such as 01.06.2024; Enter applies it.",
        "in_force_only": "Only law in force",
        "in_force_only_help": "Leave out rules not (or not yet) in force on that day.",
        "as_of_header": "Law as of: {date}",
        "superseded": "Earlier wording: {note}",
        "open_related": "Open {title}",
        "relations_title": "Versions and references",
        "relations_as_of": "As of: {date}",
        "in_force_from": "In force since {date}",
        "in_force_from_future": "Enters into force on {date}",
        "in_force_until": "Out of force since {date}",
        "evidence_page": "p. {page}",
        "amended_by_title": "Amended by",
        "amends_title": "Amends",
        "replaces_title": "Replaces",
        "replaced_by_title": "Replaced by",
        "history_title": "Versions",
        "references_title": "Refers to",
        "cited_by_title": "Cited by",
        "linked_date": "of {date}",
        "linked_in_force": "in force from {date}",
        "linked_changes": "changes {changes}",
        "this_document": "this document",
        "no_relations": "No versions or references known.",
    },
}


for _language, _texts in CASE_TEXTS.items():
    TEXTS[_language].update(_texts)

FRAMEWORK_TEXTS: dict[str, str] = {
    "Skip to main content": "Zum Hauptinhalt springen",
    "Sidebar": "Seitenleiste",
    "Collapse sidebar": "Seitenleiste einklappen",
    "Expand sidebar": "Seitenleiste ausklappen",
    "App pages": "Seiten",
    "Main menu": "Hauptmenü",
    "Help": "Hilfe",
    "Help for {label}": "Hilfe zu {label}",
    "Link to heading": "Link zu dieser Überschrift",
    "Copy to clipboard": "In die Zwischenablage kopieren",
    "Copied": "Kopiert",
    "Press Enter to apply": "Mit Eingabetaste übernehmen",
    "Press Enter to submit form": "Mit Eingabetaste absenden",
    "Open": "Öffnen",
    "Close": "Schließen",
    "Clear all": "Alle entfernen",
    "Clear value": "Auswahl entfernen",
    "Remove {value}": "{value} entfernen",
    "Selected values": "Ausgewählte Werte",
    "No results": "Keine Treffer",
    "Choose an option": "Bitte wählen",
    "Running...": "Läuft …",
    "Stop script": "Anhalten",
    "Increment": "Erhöhen",
    "Decrement": "Verringern",
    "Fullscreen": "Vollbild",
    "Close fullscreen": "Vollbild beenden",
    "Download": "Herunterladen",
    "Drag and drop a file here": "Datei hierher ziehen",
    "Upload": "Hochladen",
    "{size} per file": "höchstens {size} je Datei",
}
"""Streamlit's own English labels, tooltips and hints (its frontend has no translations),
in German; :mod:`ui.page_frame` renames them in the browser when the language is German.
``{name}`` stands for a part that is kept (a widget's label, a chosen value)."""


REASONS: dict[str, dict[str, str]] = {
    "de": {
        "corrupt": "Datei beschädigt oder unvollständig",
        "encrypted": "Mit Passwort geschützt",
        "empty": "Kein Text enthalten (leere Datei oder leere Seiten)",
        "unsupported": "Dateiformat wird nicht unterstützt",
        "too_large": "Datei zu groß",
        "unreadable": "Zurzeit nicht lesbar (Netz oder Server)",
        "interrupted": "Abgebrochen, wird neu eingelesen",
        "error": "Unerwarteter Fehler beim Einlesen",
        "empty-listing": "Quelle lieferte keine Dokumente – nichts gelöscht",
        "unreadable-folder": "Ordner nicht lesbar – nichts gelöscht",
    },
    "en": {
        "corrupt": "File damaged or incomplete",
        "encrypted": "Protected by a password",
        "empty": "No text (empty file or empty pages)",
        "unsupported": "File format not supported",
        "too_large": "File too large",
        "unreadable": "Cannot be read right now (network or server)",
        "interrupted": "Interrupted, will be read again",
        "error": "Unexpected error while reading",
        "empty-listing": "The source listed no documents – nothing deleted",
        "unreadable-folder": "Folder cannot be read – nothing deleted",
    },
}
"""Failure and skip reasons (``CatalogEntry.error_reason``, a report's ``skipped``), said
to staff; the technical message stays beside them."""


def reason_text(language: str, reason: str | None) -> str:
    """:returns: what a failure or skip reason means, in ``language`` (the code itself
    when it is unknown, e.g. one of a connector's)."""
    table = REASONS.get(language, REASONS["de"])
    code = reason or "error"
    return table.get(code, REASONS["de"].get(code, code))


DISPLAY_ZONE = ZoneInfo("Europe/Berlin")
"""Times are stored in UTC and shown in the city's time."""


CHECK_RESULTS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^1 documents?$"), "1 Dokument"),
    (re.compile(r"^(\d+) documents$"), r"\1 Dokumente"),
    (re.compile(r"^OParl (.+), body (.+)$"), r"OParl \1, Körperschaft \2"),
    (re.compile(r"^no robots\.txt$"), "keine robots.txt"),
    (re.compile(r"^robots\.txt read(.*)$"), r"robots.txt gelesen\1"),
    (re.compile(r"^sitemap with (\d+) URLs under (.+)$"), r"Sitemap mit \1 Adressen unter \2"),
    (
        re.compile(r"^start page (.+) with (\d+) links under (.+)$"),
        r"Startseite \1 mit \2 Links unter \3",
    ),
]
"""What a connection test of a source found (``Connector.check``, in English for the CLI
and the API), part by part (parts are joined by ``; ``), in German."""


def check_text(language: str, result: str) -> str:
    """:returns: a connection test's result in ``language``; a part of an unknown form
    (a connector's own) as it is."""
    if language == "en":
        return result
    parts = []
    for part in result.split("; "):
        for pattern, german in CHECK_RESULTS:
            if pattern.match(part):
                part = pattern.sub(german, part)
                break
        parts.append(part)
    return "; ".join(parts)


def local_time(value: str | None, *, seconds: bool = False) -> str:
    """:returns: an ISO 8601 time (UTC when it names no zone) as staff read it,
    ``06.12.2026, 14:05`` in Europe/Berlin; ``–`` for none, the text itself when it is
    not a time."""
    if not value:
        return "–"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(DISPLAY_ZONE).strftime(
        "%d.%m.%Y, %H:%M:%S" if seconds else "%d.%m.%Y, %H:%M"
    )


def t(language: str, key: str, **values: object) -> str:
    """:returns: the text ``key`` in ``language`` (German if unknown), formatted."""
    table = TEXTS.get(language, TEXTS["de"])
    return table.get(key, TEXTS["de"].get(key, key)).format(**values)


def bilingual(key: str, **values: object) -> str:
    """:returns: the text ``key`` as ``German / English``, as the command line says it
    (its readers may be either)."""
    german, english = t("de", key, **values), t("en", key, **values)
    return german if german == english else f"{german} / {english}"


def flag_text(language: str, flag: str) -> str:
    """:returns: why a sentence of an answer is flagged (a flag of
    :data:`search.answers.SENTENCE_FLAGS`), in ``language``; an unknown flag as it is."""
    key = f"flag_{flag}"
    return t(language, key) if key in TEXTS["de"] else flag
