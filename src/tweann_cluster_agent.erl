%% @private
%% @doc The agent {@link tweann_cluster} spawns on each node of a run: it
%% rebuilds the networks it is sent (once each: a per-run cache), runs each
%% item in its own process, at most `Slots' at a time, enforces the
%% per-item timeout, and reports every result to the coordinator, which then
%% sends the next item. It announces a window of twice its slots, so that
%% the next items are already here while results travel back (the items
%% beyond its slots wait in a local queue). It exits when told to or when the
%% coordinator goes away, killing the items still running.
-module(tweann_cluster_agent).

-export([start/4]).

%% @doc Agent entry point (spawned by the coordinator on this node).
-spec start(pid(), pos_integer() | default, pos_integer() | infinity,
            {module(), atom(), [term()]}) -> ok.
start(Coordinator, Slots0, Timeout, MFA) ->
    CRef = monitor(process, Coordinator),
    Slots = case Slots0 of
                default -> erlang:system_info(schedulers_online);
                N -> N
            end,
    Coordinator ! {tweann_cluster, ready, self(), Slots, 2 * Slots},
    loop(#{coordinator => Coordinator, cref => CRef, timeout => Timeout, mfa => MFA,
           cache => #{}, workers => #{}, slots => Slots, waiting => queue:new()}).

loop(#{coordinator := C, cref := CRef, cache := Cache, workers := Workers} = S) ->
    receive
        {tweann_cluster, item, I, Id, Payload} ->
            {Net, Cache1} = network(Id, Payload, Cache),
            loop(next(S#{cache := Cache1, waiting := queue:in({I, Net}, maps:get(waiting, S))}));
        {'DOWN', WRef, process, _Pid, Exit} when is_map_key(WRef, Workers) ->
            {I, _, Timer} = maps:get(WRef, Workers),
            cancel(Timer),
            Result = case Exit of
                         {tweann_cluster_result, R} -> R;
                         Other -> {error, {exit, Other}}
                     end,
            C ! {tweann_cluster, done, self(), I, Result},
            loop(next(S#{workers := maps:remove(WRef, Workers)}));
        {timeout, _TRef, {tweann_cluster_item, WRef}} when is_map_key(WRef, Workers) ->
            {I, Pid, _} = maps:get(WRef, Workers),
            exit(Pid, kill),
            erlang:demonitor(WRef, [flush]),
            C ! {tweann_cluster, done, self(), I, {error, timeout}},
            loop(next(S#{workers := maps:remove(WRef, Workers)}));
        {tweann_cluster, stop} ->
            stop(Workers);
        {'DOWN', CRef, process, _, _} ->
            stop(Workers);
        _Stale ->
            %% A timer that fired as its item finished.
            loop(S)
    end.

%% The network of id Id: rebuilt from its binary on first use, then cached.
network(Id, {term, Net}, Cache) ->
    {{ok, Net}, Cache#{Id => {ok, Net}}};
network(Id, cached, Cache) ->
    {maps:get(Id, Cache, {error, {not_shipped, Id}}), Cache};
network(Id, {binary, Bin}, Cache) ->
    Net = try {ok, tweann_nif:network_from_binary(Bin)}
          catch Class:Reason -> {error, {network_from_binary, {Class, Reason}}}
          end,
    {Net, Cache#{Id => Net}};
network(Id, {error, _} = Error, Cache) ->
    {Error, Cache#{Id => Error}}.

%% Start waiting items while a slot is free.
next(#{workers := Workers, slots := Slots, waiting := Waiting} = S) ->
    case map_size(Workers) < Slots andalso queue:out(Waiting) of
        {{value, {I, Net}}, Rest} ->
            next(S#{workers := start_item(I, Net, S, Workers), waiting := Rest});
        _ ->
            S
    end.

start_item(I, {error, _} = Error, #{coordinator := C}, Workers) ->
    C ! {tweann_cluster, done, self(), I, Error},
    Workers;
start_item(I, {ok, Net}, #{mfa := {M, F, A}, timeout := Timeout}, Workers) ->
    {Pid, WRef} = spawn_monitor(fun() -> exit({tweann_cluster_result, call(M, F, [Net | A])}) end),
    Timer = case Timeout of
                infinity -> none;
                T -> erlang:start_timer(T, self(), {tweann_cluster_item, WRef})
            end,
    Workers#{WRef => {I, Pid, Timer}}.

call(M, F, Args) ->
    try {ok, apply(M, F, Args)}
    catch Class:Reason:Stack -> {error, {Class, Reason, Stack}}
    end.

cancel(none) -> ok;
cancel(Timer) -> _ = erlang:cancel_timer(Timer, [{async, true}, {info, false}]), ok.

stop(Workers) ->
    _ = [exit(Pid, kill) || {_, Pid, _} <- maps:values(Workers)],
    ok.
