"""The floor for any prompt_toolkit shell: prompt_async plus exec, nothing else (bench peer)."""

import ast
import asyncio
import inspect

from prompt_toolkit import PromptSession


async def main() -> None:
    session, namespace = PromptSession(">>> "), {"asyncio": asyncio, "__name__": "__main__"}
    while True:
        try:
            text = await session.prompt_async()
        except EOFError:
            return
        result = eval(compile(text, "<bare>", "single", ast.PyCF_ALLOW_TOP_LEVEL_AWAIT), namespace)
        if inspect.iscoroutine(result):
            await result


asyncio.run(main())
