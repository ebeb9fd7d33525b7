"""A trainer's loop against `envscale serve`, with nothing but the `websockets` package.

    python3 examples/python/ws_loop.py [ws://127.0.0.1:8000/ws] [episodes]

Each episode: reset (the task picked by seed), then one action per observation until done, then
the reward and the rule it follows. Replace `policy` with your model.
"""
import asyncio
import json
import sys

import websockets

URL = sys.argv[1] if len(sys.argv) > 1 else "ws://127.0.0.1:8000/ws"
EPISODES = int(sys.argv[2]) if len(sys.argv) > 2 else 3


def policy(observation, turn):
    """The agent: an action for an observation. This one looks at the first tool once, then ends."""
    if turn == 0 and observation["tools"]:
        return {"tool": observation["tools"][0]["function"]["name"], "arguments": {}}
    return {"message": "That is all I can do for now.", "end": True}


async def send(ws, message):
    await ws.send(json.dumps(message))
    answer = json.loads(await ws.recv())
    if answer["type"] == "error":
        raise RuntimeError(f"{answer['data']['code']}: {answer['data']['message']}")
    return answer["data"]


async def main():
    async with websockets.connect(URL, max_size=None) as ws:
        for seed in range(EPISODES):
            result = await send(ws, {"type": "reset", "data": {"seed": seed}})
            observation = result["observation"]
            print(f"episode {observation['metadata']['episode_id']}, task {observation['task_id']}")
            print(f"  user: {observation['user_message']}")
            turn = 0
            while not result["done"]:
                result = await send(ws, {"type": "step", "data": policy(result["observation"], turn)})
                turn += 1
            verdict = result["observation"]["verdict"]
            print(f"  reward {result['reward']} ({verdict['failed'] or 'passed'}): {verdict['rule']}")


if __name__ == "__main__":
    asyncio.run(main())
