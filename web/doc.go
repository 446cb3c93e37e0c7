// Package web is the dashboard: server-rendered pages over net/http with
// html/template, that let volunteers run a campaign from a browser. It
// works without JavaScript; one small script (static/live.js) reloads a
// page when something new happens.
//
// The web layer holds no rule of its own. A handler parses the form, calls
// the same function the command line calls, and renders:
//
//   - rows of a board: report.Board and report.RowOf;
//   - a request's history: report.Timeline; its complaint pack:
//     report.BuildPack;
//   - marking a state: store.SetState; filing a reply: store.Assign with
//     inbox.StoredEffect; approving, editing and writing letters:
//     schedule.Scheduler.Approve, EditDraft, Letter and QueueReply;
//     discarding: store.Discard; letters in doubt: store.Resend and
//     store.MarkSentByHand; holding and cancelling a queued letter:
//     store.Hold and store.Cancel;
//   - volunteers, sessions and login throttling: store/users.go.
//
// Every action is recorded in the event log under the volunteer's name
// (store.WithActor; store.SetState's actor).
//
// # Security
//
//   - On a loopback address with no volunteer account, the person at the
//     machine is the user (web.local_user); a request whose Host header is
//     not a loopback name is refused (DNS rebinding). Any other address is
//     refused at start (ErrNoAccounts) unless at least one volunteer has an
//     account; then every page but /login needs a session.
//   - Session cookie "foi_session": HttpOnly, SameSite=Strict, Secure under
//     TLS, Path=/. Only its SHA-256 is stored.
//   - Every change is a POST carrying the session's CSRF token in the form
//     field "csrf"; without it, or with a wrong one, the answer is 403 and
//     nothing changes. GET never changes anything.
//   - Content-Security-Policy: default-src 'self'; img-src 'self' data:;
//     no inline script, no remote load of any kind. HTML mail is sanitised
//     with bluemonday (no script, no handlers, no images, no styles).
//   - Attachments are served by their number only, with
//     Content-Disposition: attachment, a safe file name and nosniff.
//   - Wrong passwords: 401; after store.FreeLoginFailures in a row each
//     attempt must wait longer (429 with Retry-After).
//
// # Pages and the selectors tests can rely on
//
// These ids, classes and data attributes are stable; tests (the Chromium
// suite in e2e) select on them, never on wording.
//
//	Every page
//	  nav#nav a[data-nav=today|campaigns|drafts|unmatched|schedule]
//	  #who                         the name of who is logged in
//	  .flash[data-kind=ok|error]   the result of the last action
//	  #live-note                   hidden; shown by live.js when something new
//	                               happened while the person was typing
//	  form.confirm                 any one-click action form; its button is
//	                               "form.confirm button" (type=submit)
//	  input[name=csrf]             the CSRF token in every POST form
//
//	GET /                          Today
//	  section#confirm              replies waiting for confirmation
//	    li.confirm-item[data-ref=REF]
//	      form.confirm[data-action=mark] button   confirm the suggestion
//	  section#unmatched            unmatched mail with suggestions
//	    li.unmatched-item[data-message=ID]
//	      form.confirm[data-action=assign][data-ref=REF] button  file under REF
//	  section#drafts               drafts waiting for approval
//	    li.draft-item[data-draft=ID] a (to /drafts/ID)
//	  section#doubt                letters in doubt
//	    li.doubt-item[data-ref=REF]
//	      form.confirm[data-action=resend] button
//	      form.confirm[data-action=mark-sent] button
//	  section#bounced              letters that bounced: li.bounced-item[data-ref=REF]
//	  section#windows              complaints whose window is closing, or ready:
//	                               li.window-item[data-ref=REF]
//
//	GET /campaigns                 Campaigns
//	  table#campaigns tr[data-slug=SLUG]
//	    td[data-phase=PHASE]       the count of requests in that phase
//	    .progress[data-done=N][data-total=M]
//	    a.board-link               to the board
//
//	GET /campaigns/{slug}          Board (GET form#filters: select#phase
//	                               name=phase, select#tag name=tag,
//	                               input#needs name=needs (checkbox, value 1),
//	                               input#q name=q (text), select#sort name=sort
//	                               with due|late|ref; button#apply)
//	  #count[data-count=N]         how many rows are shown
//	  table#board tbody tr[data-ref=REF][data-phase=PHASE][data-state=STATE]
//	    td.ref a                   to the request page
//	    td.phase, td.clock, td.suggested, td.next
//	    input.select[name=ref][value=REF]   selects the row (form#bulk)
//	  form#bulk                    POST /campaigns/{slug}/bulk, holds the
//	                               row checkboxes; select#bulk-action
//	                               name=action with confirm|mark|approve|withdraw,
//	                               select#bulk-state name=state (for mark),
//	                               button#bulk-go
//	  img#chart                    /campaigns/{slug}/chart.svg
//	  a#feed-link                  the campaign's calendar feed
//	                               (GET /calendar/TOKEN.ics, no login: the
//	                               token is the key; 404 for a wrong one)
//
//	GET /requests/{ref}            Request
//	  #state[data-state=STATE]
//	  ol#timeline li.entry         one per line of the history, in order
//	    article.message[data-message=ID][data-direction=in|out]
//	      pre.body                 the text
//	  then, in the li.entry right after a received message's:
//	    details.html div.html-body its sanitised HTML (if it had any)
//	  then, in the next li.entry:
//	    ul.attachments a.attachment[data-attachment=ID]   /attachments/ID
//	  form#mark (select#mark-state name=state, textarea name=note)
//	  form.confirm[data-action=confirm]   confirm the suggested outcome
//	  a#reply-link                 /requests/{ref}/reply (choose a template)
//	  form#review (textarea name=grounds)  internal review with grounds
//	  a#pack-link                  /requests/{ref}/pack.zip
//	  form.confirm[data-action=withdraw]
//	  form#reissue (a bounced request only: input#reissue-address name=address,
//	                               input name=others value=1 checkbox)
//	                               send it again to a corrected address
//	  form#address (GET, input#new-address name=address)  a new address:
//	                               GET /requests/{ref}/address?address=A shows
//	                               what changes, form.confirm[data-action=address]
//	                               applies it to the authority and its open
//	                               requests (store.ApplyRedirect)
//
//	GET /requests/{ref}/reply?template=NAME   the letter to edit
//	  form#reply (textarea#body name=body, button[name=how][value=queue|draft])
//
//	GET /drafts                    table#drafts tr[data-draft=ID]
//	GET /drafts/{id}               form#edit (textarea#body name=body),
//	                               form#approve (textarea name=grounds if the
//	                               draft has a [GROUNDS] line),
//	                               form.confirm[data-action=approve],
//	                               form.confirm[data-action=discard]
//
//	GET /unmatched                 li.unmatched-item[data-message=ID]
//	                               form.confirm[data-action=assign][data-ref=REF]
//	                               form#assign-ID (input name=ref) for any reference
//
//	GET /schedule                  section.day[data-date=YYYY-MM-DD]
//	  li.planned[data-ref=REF][data-outbox=ID] (data-outbox only for a letter
//	                               already queued: it has
//	                               form.confirm[data-action=hold] and
//	                               form.confirm[data-action=cancel])
//
//	GET /login                     form#login (input#name, input#password,
//	                               button#login-go)
//
//	GET /attachments/{id}          the file's original bytes
//	GET /events                    server-sent events: "change" with a number
//	                               that grows when anything is recorded
//
// A Server is safe for concurrent use; its handlers share only the store
// and the scheduler, which are.
package web
