"""The GitHub REST API as an event source, for users without GH Archive.

Stargazers (with dates), issues, pull requests, issue comments, review comments
and reviews of one repository become the same ``gh_events`` rows GH Archive
gives (WatchEvent, IssuesEvent, PullRequestEvent, IssueCommentEvent,
PullRequestReviewEvent, PullRequestReviewCommentEvent), through the same
``normalize`` function, so every metric works on either source.
"""
