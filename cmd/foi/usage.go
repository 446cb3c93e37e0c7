package main

// The usage text of each command in the table in commands.go: the synopsis
// (without "foi "), what it does, and an example. Flags are listed after it
// from the command's own flag set.

const usageInit = `init
Write foi.yaml (from the documented example) and make the data folder.
Edit foi.yaml afterwards: every value marked CHANGE ME must be yours.

Example:
  foi init && foi check-config`

const usageCheckConfig = `check-config [--connect]
Check foi.yaml and report every problem at once: values still CHANGE ME,
password variables that are not set, files that do not exist. With
--connect it also logs in to the SMTP and IMAP servers.

Example:
  foi check-config --connect`

const usageAuthorities = `authorities import FILE.csv | list | remove NAME | archive NAME
import   add or update authorities from a CSV file with a header row:
         name,email and optionally jurisdiction (foia, foisa, eir, eisr),
         tags (separated by ;), short_name, notes
list     list them
remove   delete one that no letter was ever sent to (imported by mistake),
         with its unsent requests
archive  hide one that has letters, keeping them: it is then left out of
         new campaigns (foi campaign new --authorities all or tag:X) and of
         this list; its requests stay in their campaigns

Examples:
  foi authorities import examples/trusts.csv
  foi authorities remove "Wrong Trust"`

const usageCampaign = `campaign new SLUG --title T --letter FILE --authorities SELECTOR [--law L] [--schedule step=mode,...]
       foi campaign preview SLUG [REF]
       foi campaign schedule SLUG [step=mode ...]
       foi campaign questions SLUG [--file FILE]
       foi campaign list
       foi campaign remove SLUG
       foi campaign archive SLUG
new       create a campaign: one request per authority chosen by SELECTOR
          (all, tag:X, or "Name One,Name Two")
preview   print exactly the bytes that would be sent (the first request's,
          or REF's)
schedule  show or set the campaign's step modes (auto, draft, off)
questions show or set what each reply is coded for (one question a line
          in FILE); foi answer codes a reply
list      list campaigns
remove    delete a campaign that has sent nothing (created by mistake)
archive   hide a campaign that has sent letters, keeping everything

Examples:
  foi campaign new LXP7 --title "Band 7 roles" --letter letter.txt --authorities tag:mental-health
  foi campaign preview LXP7 LXP7-001
  foi campaign schedule LXP7 first_chaser=draft`

const usageSend = `send SLUG [--dry-run] [--limit N]
Send the campaign's letters that have not gone yet, at the configured rate,
with a progress bar on a terminal. Safe to run again: nothing is sent twice.

Examples:
  foi send LXP7 --dry-run
  foi send LXP7 --limit 5`

const usageStatus = `status [SLUG]
Each request's state, when it was sent, when the answer is due and the last
reply; without SLUG, every campaign.

Example:
  foi status LXP7`

const usageResend = `resend REF [--to ADDRESS [--others]]
Send again a letter held "in doubt" (not proved sent), with the
same Message-ID, so the authority can tell it is the same letter.

With --to, a request whose letter bounced goes again to the corrected
address: same reference, a new Message-ID, the bounced attempt kept in
its history. --others makes the address the authority's, for its other
open requests too. The letter goes with the next send (or serve).

Examples:
  foi resend LXP7-004
  foi resend LXP7-006 --to foi@cwp.nhs.uk --others`

const usageMarkSent = `mark-sent REF
Record a letter held "in doubt" as sent (you found it in your Sent folder).

Example:
  foi mark-sent LXP7-004`

const usageSync = `sync
Fetch new mail from the IMAP folder once, file each reply with its request,
and classify it. foi serve does this continuously.

Example:
  foi sync`

const usageShow = `show REF
A request's thread: its letters, the replies, their attachments and every
event, oldest first.

Example:
  foi show LXP7-004`

const usageMark = `mark REF STATE [--note T]
Confirm what a reply was: successful, partially_successful, refused,
not_held, withdrawn, ... Chasers and reviews follow from it.

Example:
  foi mark LXP7-004 refused --note "s.40 cited"`

const usageUnmatched = `unmatched
Replies that could not be filed with a request, each with suggestions.
File one with foi assign.

Example:
  foi unmatched`

const usageAssign = `assign MESSAGE REF
File an unmatched reply (its number from foi unmatched) with a request.

Example:
  foi assign 17 LXP7-004`

const usagePaid = `paid REF [--note T]
The fee the authority asked for was paid: the clock runs again from today.

Example:
  foi paid LXP7-004 --note "paid by card"`

const usageAttachments = `attachments REF|SLUG [--out DIR]
List a request's files, or a whole campaign's; with --out save them, each
request in its own folder, never overwriting a file.

Example:
  foi attachments LXP7 --out files/`

const usageServe = `serve
Watch the mailbox (IMAP IDLE), keep the schedule and send what is due, until
Ctrl-C. Run it on a machine that stays on.

Example:
  foi serve`

const usageTick = `tick [--dry-run]
One pass of the scheduler: plan the chasers, reviews and complaints that are
due, and send what may be sent now. For cron, instead of foi serve.

Examples:
  foi tick --dry-run
  foi tick --dry-run --now 2026-04-06`

const usageDrafts = `drafts | drafts show ID | drafts edit ID [--file FILE]
Letters waiting for your approval (internal reviews after a refusal, ICO
complaints, steps set to draft). show prints one exactly as it would go and
what must be filled in; edit changes its text in your editor ($VISUAL,
$EDITOR, or nano) or from FILE.

Examples:
  foi drafts
  foi drafts show 12`

const usageApprove = `approve ID [--grounds T]
Send a draft at the next sending time. --grounds fills its [GROUNDS: ...]
line (an internal review must say why the answer was wrong).

Example:
  foi approve 12 --grounds "the s.43 public interest test was not applied"`

const usageDiscard = `discard ID
Drop a draft: it is never sent.

Example:
  foi discard 12`

const usageReply = `reply REF --template NAME [--edit] [--draft] [--grounds T] [--fill T]
Compose a follow-up to a request from a letter template and queue it (or
keep it as a draft with --draft). --edit opens it in your editor first
($VISUAL, $EDITOR, or nano). NAME is a letter's file name without .txt:
clarification, identity (when asked for a real name), first_chaser,
final_chaser, review_after_refusal, review_on_silence, foisa_review,
ico_complaint, sic_appeal, or a letter of your own in your templates folder
(storage.templates in foi.yaml).

Example:
  foi reply LXP7-004 --template clarification --edit`

const usageDue = `due DATE [--law foia|foisa|eir|eisr] [--school]
The deadlines for a request delivered on DATE: answer due, late, very
overdue, internal review and ICO dates, in working days.

Example:
  foi due 2026-03-02 --law foisa`

const usageHolidays = `holidays [YEAR] | holidays import FILE.json
The bank holidays that deadlines skip (projected ones marked), or import newer
official data (gov.uk's bank-holidays.json).

Examples:
  foi holidays 2028
  foi holidays import bank-holidays.json`

const usageICOPack = `ico-pack REF --out FILE.zip [--force]
The complaint pack for the Information Commissioner: the letter, a timeline,
every message and attachment, and an index. --force builds it before a
complaint is due (it says so inside).

Example:
  foi ico-pack LXP7-004 --out complaint.zip`

const usageBackup = `backup FILE.tar.gz
The database and every message and file, in one archive; safe while
foi serve runs.

Example:
  foi backup backups/foi-monday.tar.gz`

const usageRestore = `restore FILE.tar.gz DIR
Unpack a backup into a new, empty DIR, checking every hash, and say how to
point foi.yaml at it.

Example:
  foi restore backups/foi-monday.tar.gz restored-data`

const usageCheck = `check [--data DIR]
Verify the database and every stored message and file.

Example:
  foi check`

const usageDemo = `demo [--dir DIR] [--headless]
Four months of the example campaign against mail servers inside the
process: no mail account needed.

Example:
  foi demo --headless`

const usageHelp = `help [COMMAND]
Every command, or one command's usage and examples.

Example:
  foi help campaign`

const usageVersion = `version
The version of this foi: its release, commit and build time (also
foi --version).

Example:
  foi --version`
