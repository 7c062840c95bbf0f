%% Genotype records for tweann_store, in the field layout of DXNN2 and
%% faber-tweann (their include/records.hrl).
%%
%%   -include_lib("tweann_nif/include/tweann_records.hrl").
%%
%% The store itself needs only the shape {Tag, Key, ...}: a record goes to
%% the table named by its tag (agent, cortex, sensor, actuator, neuron,
%% substrate, specie, population) and is keyed on its second element, as with
%% Mnesia. #champion is not stored on its own: its records are the entries
%% of #specie.hall_of_fame. The field positions matter to the default sweep
%% (tweann_store_sweep:default_fields/0), which trims #agent.offspring_ids
%% (22), #agent.parent_ids (23), #specie.all_agent_ids (6) and
%% #specie.agent_ids (7) to live agents and clears #specie.dead_pool (8).
%%
%% A project that has its own definitions of these records (DXNN2 and
%% faber-tweann do) keeps using them and does not include this file: the
%% two would clash. With another layout, set the application environment key
%% sweep_fields to the positions of yours.
-ifndef(TWEANN_RECORDS_HRL).
-define(TWEANN_RECORDS_HRL, true).

-record(sensor, {id, name, type, cx_id, scape, vl, fanout_ids = [],
                 generation, format, parameters, gt_parameters, phys_rep,
                 vis_rep, pre_f, post_f, innovation}).

-record(actuator, {id, name, type, cx_id, scape, vl, fanin_ids = [],
                   generation, format, parameters, gt_parameters, phys_rep,
                   vis_rep, pre_f, post_f, innovation}).

-record(neuron, {id, generation, cx_id, pre_processor, signal_integrator, af,
                 post_processor, pf, aggr_f, input_idps = [],
                 input_idps_modulation = [], output_ids = [], ro_ids = [],
                 neuron_type = standard, time_constant = 1.0,
                 state_bound = 1.0, ltc_backbone_weights = [],
                 ltc_head_weights = [], internal_state = 0.0, innovation}).

-record(cortex, {id, agent_id, neuron_ids = [], sensor_ids = [],
                 actuator_ids = []}).

-record(substrate, {id, agent_id, densities, linkform, plasticity = none,
                    cpp_ids = [], cep_ids = []}).

-record(agent, {id, encoding_type, generation, population_id, specie_id,
                cx_id, fingerprint, constraint, evo_hist = [], fitness = 0,
                innovation_factor = 0, pattern = [], tuning_selection_f,
                annealing_parameter, tuning_duration_f, perturbation_range,
                mutation_operators, tot_topological_mutations_f,
                heredity_type, substrate_id, offspring_ids = [],
                parent_ids = [], champion_flag = [false], evolvability = 0,
                brittleness = 0, robustness = 0,
                evolutionary_capacitance = 0, behavioral_trace, fs = 1,
                main_fitness}).

-record(specie, {id, population_id, fingerprint, constraint,
                 all_agent_ids = [], agent_ids = [], dead_pool = [],
                 champion_ids = [], fitness, innovation_factor = {0, 0},
                 stats = [], seed_agent_ids = [], hof_distinguishers = [tot_n],
                 specie_distinguishers = [tot_n], hall_of_fame = []}).

-record(population, {id, polis_id, specie_ids = [], morphologies = [],
                     innovation_factor, evo_alg_f, fitness_postprocessor_f,
                     selection_f, trace, seed_agent_ids = [],
                     seed_specie_ids = []}).

-record(champion, {hof_fingerprint, id, fitness, validation_fitness,
                   test_fitness, main_fitness, tot_n, evolvability,
                   robustness, brittleness, generation,
                   behavioral_differences, fs}).

-endif.
