"""The questionnaire in a browser (`triage serve`): the same Session, flow, engine and texts as the terminal.

`state` signs the answers that travel in each page (nothing is kept on the server), `pages` turns a Session
or an Outcome into what a template shows, `app` is the Starlette application, `server` starts uvicorn.
"""
